-- One row per deployment attempt: GitHub deployments, runs of a repository's deploy workflow, GitLab
-- deployments, Azure DevOps environment deployment records and builds of Jenkins deploy jobs
-- (mappings/jenkins_deployment_rules.csv).
with
repositories as (
    select * from {{ ref('int_repository_teams') }}
),

status_times as (
    select
        deployment_id,
        min(case when state = 'success' then created_at end) as first_success_at,
        min(case when state in ('failure', 'error') then created_at end) as first_failure_at
    from {{ ref('stg_github__deployment_statuses') }}
    group by deployment_id
),

github_deployments as (
    select
        {{ dbt.concat(["'github_deployment:'", "cast(d.deployment_id as " ~ dbt.type_string() ~ ")"]) }}
            as deployment_key,
        'github_deployment' as deployment_source,
        cast(d.deployment_id as {{ dbt.type_string() }}) as source_id,
        d.repository,
        d.environment,
        d.sha as deployed_sha,
        d.ref as deployed_ref,
        d.created_at as started_at,
        -- the first success status, never the deployment's updated_at (it moves with later statuses)
        s.first_success_at as deployed_at,
        coalesce(s.first_success_at, s.first_failure_at) as finished_at,
        false as is_deployed_at_approximate,
        -- production when the environment matches the repository's pattern
        cast(null as {{ dbt.type_boolean() }}) as is_production_by_source,
        s.first_success_at is not null as is_success,
        case
            when s.first_success_at is not null then 'success'
            when s.first_failure_at is not null then 'failure'
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'github'", 'd.deployment_id') }}
    from {{ ref('stg_github__deployments') }} as d
    left join status_times as s on d.deployment_id = s.deployment_id
),

workflow_deployments as (
    select
        {{ dbt.concat(["'workflow_run:'", "cast(w.workflow_run_id as " ~ dbt.type_string() ~ ")", "'-'",
            "cast(w.run_attempt as " ~ dbt.type_string() ~ ")"]) }} as deployment_key,
        'workflow_run' as deployment_source,
        {{ dbt.concat(["cast(w.workflow_run_id as " ~ dbt.type_string() ~ ")", "'-'",
            "cast(w.run_attempt as " ~ dbt.type_string() ~ ")"]) }} as source_id,
        w.repository,
        -- a deploy workflow deploys to production by configuration
        'production' as environment,
        w.head_sha as deployed_sha,
        w.head_branch as deployed_ref,
        coalesce(w.run_started_at, w.created_at) as started_at,
        -- the list body carries no completion time: updated_at is the closest, flagged as approximate
        case when w.conclusion = 'success' then w.updated_at end as deployed_at,
        case when w.status = 'completed' then w.updated_at end as finished_at,
        true as is_deployed_at_approximate,
        true as is_production_by_source,
        w.conclusion = 'success' as is_success,
        case
            when w.conclusion = 'success' then 'success'
            when w.conclusion is not null then w.conclusion
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('w', "'github'", 'w.workflow_run_id') }}
    from {{ ref('stg_github__workflow_runs') }} as w
    inner join repositories as r
        on lower(w.repository) = r.repository_key
        and w.workflow_path = r.deploy_workflow_path
),

gitlab_deployments as (
    select
        {{ dbt.concat(["'gitlab_deployment:'", "cast(d.deployment_id as " ~ dbt.type_string() ~ ")"]) }}
            as deployment_key,
        'gitlab_deployment' as deployment_source,
        cast(d.deployment_id as {{ dbt.type_string() }}) as source_id,
        d.project_path as repository,
        d.environment_name as environment,
        d.sha as deployed_sha,
        d.ref as deployed_ref,
        coalesce(d.started_at, d.created_at) as started_at,
        case when d.status = 'success' then coalesce(d.finished_at, d.updated_at) end as deployed_at,
        case when d.status in ('success', 'failed', 'canceled') then coalesce(d.finished_at, d.updated_at) end
            as finished_at,
        -- neither the deployment nor its job gave a finish: the last update stands in
        d.finished_at is null and d.status in ('success', 'failed', 'canceled') as is_deployed_at_approximate,
        -- the environment's tier decides; without one (older GitLab), the repository's pattern on the name
        d.is_production_tier as is_production_by_source,
        d.status = 'success' as is_success,
        case
            when d.status = 'success' then 'success'
            when d.status = 'failed' then 'failure'
            when d.status = 'canceled' then 'canceled'
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'gitlab'", 'd.deployment_id') }}
    from {{ ref('stg_gitlab__deployments') }} as d
),

-- an environment deployment record deploys what its build built: the commit and repository come from the
-- build (a GitHub repository built by Azure Pipelines keeps its GitHub name). Records whose build is not
-- exported yet are left out until it is; those whose build names no repository are left out and listed in
-- int_mapping_gaps.
azure_devops_deployments as (
    select
        {{ dbt.concat(["'azure_devops_deployment:'", "d.organization", "':'",
            "cast(d.deployment_record_id as " ~ dbt.type_string() ~ ")"]) }} as deployment_key,
        'azure_devops_deployment' as deployment_source,
        {{ dbt.concat(["d.organization", "':'", "cast(d.deployment_record_id as " ~ dbt.type_string() ~ ")"]) }}
            as source_id,
        b.repository,
        d.environment_name as environment,
        b.source_version as deployed_sha,
        b.source_branch as deployed_ref,
        coalesce(d.started_at, d.queued_at) as started_at,
        case when lower(d.result) in ('succeeded', 'succeededwithissues') then d.finished_at end as deployed_at,
        case when d.result is not null then d.finished_at end as finished_at,
        false as is_deployed_at_approximate,
        cast(null as {{ dbt.type_boolean() }}) as is_production_by_source,
        coalesce(lower(d.result) in ('succeeded', 'succeededwithissues'), false) as is_success,
        case
            when lower(d.result) in ('succeeded', 'succeededwithissues') then 'success'
            when lower(d.result) = 'failed' then 'failure'
            when d.result is not null then lower(d.result)
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'azure_devops'", 'd.deployment_record_id') }}
    from {{ ref('stg_azure_devops__deployments') }} as d
    inner join {{ ref('stg_azure_devops__builds') }} as b on d.build_key = b.build_key
    where b.repository is not null
),

-- builds of the jobs a rule names, with the rule's parameter value (one rule per build: the first whose
-- parameter matches, else the first by repository)
jenkins_rule_matches as (
    select
        b.*,
        r.repository,
        r.parameter_name,
        {{ dora_json_text_field('b.parameters_json', 'r.parameter_name') }} as parameter_value,
        coalesce(
            nullif(r.parameter_name, '') is null
            or {{ dora_regexp_matches(
                dora_json_text_field('b.parameters_json', 'r.parameter_name'), 'r.parameter_value_pattern'
            ) }},
            false
        ) as is_production_rule_match
    from {{ ref('stg_jenkins__builds') }} as b
    inner join {{ ref('jenkins_deployment_rules') }} as r
        on lower(b.controller) = lower(r.controller)
        and {{ dora_regexp_matches('b.job_path', 'r.job_path_pattern') }}
),

jenkins_rule_ranked as (
    select
        jenkins_rule_matches.*,
        row_number() over (
            partition by build_key order by case when is_production_rule_match then 0 else 1 end, repository
        ) as rule_rank
    from jenkins_rule_matches
),

jenkins_deployments as (
    {%- set jenkins_build_id = dbt.concat(["j.controller", "'/'", "j.job_path", "'#'",
        "cast(j.build_number as " ~ dbt.type_string() ~ ")"]) %}
    select
        {{ dbt.concat(["'jenkins_build:'", jenkins_build_id]) }} as deployment_key,
        'jenkins_build' as deployment_source,
        {{ jenkins_build_id }} as source_id,
        j.repository,
        -- the environment parameter's value, when the rule names one
        j.parameter_value as environment,
        j.git_sha as deployed_sha,
        j.git_branch as deployed_ref,
        j.started_at,
        case when j.result = 'SUCCESS' then j.finished_at end as deployed_at,
        j.finished_at,
        false as is_deployed_at_approximate,
        -- the rule decides: its parameter matches the production value pattern (or it names no parameter)
        j.is_production_rule_match as is_production_by_source,
        coalesce(j.result = 'SUCCESS', false) as is_success,
        case
            when j.result = 'SUCCESS' then 'success'
            when j.result = 'FAILURE' then 'failure'
            when j.result is not null then lower(j.result)
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('j', "'jenkins'", jenkins_build_id) }}
    from jenkins_rule_ranked as j
    where j.rule_rank = 1
),

attempts as (
    select * from github_deployments
    union all
    select * from workflow_deployments
    union all
    select * from gitlab_deployments
    union all
    select * from azure_devops_deployments
    union all
    select * from jenkins_deployments
)

select
    a.deployment_key,
    a.deployment_source,
    a.source_id,
    a.repository,
    r.team,
    a.environment,
    case
        when a.is_production_by_source is not null then a.is_production_by_source
        -- a repository missing from the seed gets the default pattern (and shows in int_mapping_gaps)
        else coalesce({{ dora_regexp_matches(
            'a.environment',
            "coalesce(r.production_environment_pattern, '" ~ var('default_production_environment_pattern') ~ "')"
        ) }}, false)
    end as is_production,
    a.deployed_sha,
    a.deployed_ref,
    a.started_at,
    a.deployed_at,
    a.finished_at,
    a.is_deployed_at_approximate,
    coalesce(a.is_success, false) as is_success,
    a.outcome,
    {{ fact_lineage_columns('a') }}
from attempts as a
left join repositories as r on lower(a.repository) = r.repository_key
