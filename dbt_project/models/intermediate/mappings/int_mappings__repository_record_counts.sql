{#
    The records of each repository, counted per model that names it: the GitHub, GitLab, Azure DevOps and
    Jenkins records. Counted per repository first, so that the mapping gaps join and rank a few rows per
    repository instead of every record of the history. Models listed first give the preferred example.
#}
{%- set repository_models = [
    ('stg_github__pull_requests', 'repository', 'pull_request_id'),
    ('stg_github__deployments', 'repository', 'deployment_id'),
    ('stg_github__workflow_runs', 'repository', 'workflow_run_attempt_id'),
    ('stg_github__deployment_statuses', 'repository', 'deployment_status_id'),
    ('stg_github__pull_request_reviews', 'repository', 'review_id'),
    ('stg_github__pull_request_commits', 'repository', 'pull_request_commit_id'),
    ('stg_github__commits', 'repository', 'commit_id'),
    ('stg_github__commit_parents', 'repository', 'commit_parent_id'),
    ('stg_gitlab__merge_requests', 'project_path', 'merge_request_id'),
    ('stg_gitlab__deployments', 'project_path', 'deployment_id'),
    ('stg_gitlab__pipelines', 'project_path', 'pipeline_id'),
    ('stg_gitlab__merge_request_reviews', 'project_path', 'note_id'),
    ('stg_gitlab__merge_request_commits', 'project_path', 'merge_request_commit_id'),
    ('stg_gitlab__commits', 'project_path', 'commit_id'),
    ('stg_gitlab__commit_parents', 'project_path', 'commit_parent_id'),
    ('stg_azure_devops__pull_requests', dbt.concat(["organization", "'/'", "project", "'/'", "repository_name"]),
        'pull_request_key'),
    ('stg_azure_devops__builds', "coalesce(repository, '" ~ dora_no_value_named() ~ "')", 'build_key'),
] %}
with

repository_records as (

    {%- for model_name, repository, primary_key in repository_models %}
    select
        {{ repository }} as repository,
        '{{ model_name.split('__')[0][4:] }}' as source_tool,
        '{{ model_name }}' as record_model,
        {{ loop.index }} as record_model_priority,
        count(*) as record_count,
        -- each group's first record
        min(cast({{ primary_key }} as {{ dbt.type_string() }})) as record_id
    from {{ ref(model_name) }}
    group by {{ repository }}
    union all
    {%- endfor %}
    -- Jenkins builds that a deployment rule makes deployments of the repository it names
    select
        repository,
        'jenkins' as source_tool,
        'int_dora__deployment_attempts' as record_model,
        {{ repository_models | length + 1 }} as record_model_priority,
        count(*) as record_count,
        min(deployment_key) as record_id
    from {{ ref('int_dora__deployment_attempts') }}
    where deployment_source = 'jenkins_build'
    group by repository

)

select * from repository_records
