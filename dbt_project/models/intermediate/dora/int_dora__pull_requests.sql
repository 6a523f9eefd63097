-- One row per pull request of every tool: GitHub pull requests, GitLab merge requests and Azure DevOps pull
-- requests, in one shape. merged_at and landed_sha are set only once merged (completed, for Azure DevOps).
with
github as (
    select
        'github' as source_tool,
        pull_request_id,
        repository,
        pull_number,
        title,
        head_ref,
        author_login,
        labels_json,
        state,
        created_at,
        merged_at,
        -- before the merge this is GitHub's trial merge commit, not on the base branch
        case when merged_at is not null then merge_commit_sha end as landed_sha,
        cast(null as {{ dbt.type_string() }}) as work_item_refs_json,
        -- a body without its node_id (an older Enterprise Server, a hand-made export) keeps its numeric id:
        -- the marts require a record id, and one pull request must not block the publish
        coalesce(node_id, cast(pull_request_id as {{ dbt.type_string() }})) as source_record_id,
        _source_file,
        _record_index,
        _dlt_load_id
    from {{ ref('stg_github__pull_requests') }}
),

gitlab as (
    select
        'gitlab' as source_tool,
        merge_request_id as pull_request_id,
        project_path as repository,
        merge_request_iid as pull_number,
        title,
        source_branch as head_ref,
        author_username as author_login,
        labels_json,
        state,
        created_at,
        merged_at,
        -- squash commit, else merge commit; a fast-forward merge without squash lands the head commit itself
        case when merged_at is not null then coalesce(landed_commit_sha, head_sha) end as landed_sha,
        cast(null as {{ dbt.type_string() }}) as work_item_refs_json,
        cast(merge_request_id as {{ dbt.type_string() }}) as source_record_id,
        _source_file,
        _record_index,
        _dlt_load_id
    from {{ ref('stg_gitlab__merge_requests') }}
),

azure_devops as (
    select
        'azure_devops' as source_tool,
        pull_request_id,
        {{ dbt.concat(["organization", "'/'", "project", "'/'", "repository_name"]) }} as repository,
        pull_request_id as pull_number,
        title,
        source_branch as head_ref,
        created_by_unique_name as author_login,
        labels_json,
        status as state,
        created_at,
        merged_at,
        -- staging keeps the merge commit of completed pull requests only (an active one's is a trial merge)
        merge_commit_id as landed_sha,
        work_item_ids_json as work_item_refs_json,
        cast(pull_request_id as {{ dbt.type_string() }}) as source_record_id,
        _source_file,
        _record_index,
        _dlt_load_id
    from {{ ref('stg_azure_devops__pull_requests') }}
),

pull_requests as (
    select * from github
    union all
    select * from gitlab
    union all
    select * from azure_devops
)

select
    cast(pull_request_id as {{ dbt.type_bigint() }}) as pull_request_id,
    cast(repository as {{ dbt.type_string() }}) as repository,
    cast(pull_number as {{ dbt.type_bigint() }}) as pull_number,
    cast(title as {{ dbt.type_string() }}) as title,
    cast(head_ref as {{ dbt.type_string() }}) as head_ref,
    cast(author_login as {{ dbt.type_string() }}) as author_login,
    cast(labels_json as {{ dbt.type_string() }}) as labels_json,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(merged_at as {{ dbt.type_timestamp() }}) as merged_at,
    cast(landed_sha as {{ dbt.type_string() }}) as landed_sha,
    cast(work_item_refs_json as {{ dbt.type_string() }}) as work_item_refs_json,
    {{ fact_lineage_columns('pull_requests') }}
from pull_requests
