{{ config(materialized='incremental', unique_key='pull_request_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'pull_requests'),
        partition_by=['organization', 'pull_request_id'],
        order_by=['version_at']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'pull_request_id']) }} as pull_request_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(pull_request_id as {{ dbt.type_bigint() }}) as pull_request_id,
        cast(code_review_id as {{ dbt.type_bigint() }}) as code_review_id,
        cast(repository_id as {{ dbt.type_string() }}) as repository_id,
        cast(repository_name as {{ dbt.type_string() }}) as repository_name,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(is_draft as {{ dbt.type_boolean() }}) as is_draft,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(source_ref_name as {{ dbt.type_string() }}) as source_ref_name,
        cast(
            case
                when source_ref_name like 'refs/heads/%' then substr(source_ref_name, {{ 'refs/heads/' | length + 1 }})
                else source_ref_name
            end as {{ dbt.type_string() }}
        ) as source_branch,
        cast(target_ref_name as {{ dbt.type_string() }}) as target_ref_name,
        cast(
            case
                when target_ref_name like 'refs/heads/%' then substr(target_ref_name, {{ 'refs/heads/' | length + 1 }})
                else target_ref_name
            end as {{ dbt.type_string() }}
        ) as target_branch,
        cast(merge_status as {{ dbt.type_string() }}) as merge_status,
        cast(merge_id as {{ dbt.type_string() }}) as merge_id,
        cast(last_merge_source_commit_id as {{ dbt.type_string() }}) as last_merge_source_commit_id,
        cast(last_merge_target_commit_id as {{ dbt.type_string() }}) as last_merge_target_commit_id,
        cast(last_merge_commit_id as {{ dbt.type_string() }}) as last_merge_commit_id,
        -- Only a completed pull request's merge commit is on the target branch; an active one's is a trial merge.
        cast(case when status = 'completed' then last_merge_commit_id end as {{ dbt.type_string() }})
            as merge_commit_id,
        cast(created_by_unique_name as {{ dbt.type_string() }}) as created_by_unique_name,
        cast(created_by_display_name as {{ dbt.type_string() }}) as created_by_display_name,
        cast(created_by_id as {{ dbt.type_string() }}) as created_by_id,
        cast(closed_by_unique_name as {{ dbt.type_string() }}) as closed_by_unique_name,
        cast(closed_by_display_name as {{ dbt.type_string() }}) as closed_by_display_name,
        cast(closed_by_id as {{ dbt.type_string() }}) as closed_by_id,
        cast(work_item_ids as {{ dbt.type_string() }}) as work_item_ids_json,
        cast(labels as {{ dbt.type_string() }}) as labels_json,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        case when status = 'completed' then {{ to_utc_timestamp('closed_at') }} end as merged_at,
        cast(url as {{ dbt.type_string() }}) as url,
        {{ to_utc_timestamp('version_at') }} as version_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
