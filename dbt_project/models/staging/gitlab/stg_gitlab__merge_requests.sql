{{ config(materialized='incremental', unique_key='merge_request_id') }}

with

source as (

    {{ newest_version(
        source('raw_gitlab', 'merge_requests'), partition_by=['merge_request_id'], order_by=['updated_at']
    ) }}

),

renamed as (

    select
        cast(merge_request_id as {{ dbt.type_bigint() }}) as merge_request_id,
        cast(project_path as {{ dbt.type_string() }}) as project_path,
        cast(project_id as {{ dbt.type_bigint() }}) as project_id,
        cast(iid as {{ dbt.type_bigint() }}) as merge_request_iid,
        cast(reference as {{ dbt.type_string() }}) as reference,
        {{ normalized_text('state') }} as state,
        cast(is_draft as {{ dbt.type_boolean() }}) as is_draft,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(author_id as {{ dbt.type_bigint() }}) as author_id,
        cast(author_username as {{ dbt.type_string() }}) as author_username,
        cast(author_name as {{ dbt.type_string() }}) as author_name,
        cast(source_branch as {{ dbt.type_string() }}) as source_branch,
        cast(target_branch as {{ dbt.type_string() }}) as target_branch,
        cast(sha as {{ dbt.type_string() }}) as head_sha,
        cast(merge_commit_sha as {{ dbt.type_string() }}) as merge_commit_sha,
        cast(squash_commit_sha as {{ dbt.type_string() }}) as squash_commit_sha,
        -- The commit the merge put on the target branch: the squash commit when squashed, else the merge
        -- commit; null for a fast-forward merge without squash (its head sha landed as is).
        cast(coalesce(squash_commit_sha, merge_commit_sha) as {{ dbt.type_string() }}) as landed_commit_sha,
        cast(is_squash as {{ dbt.type_boolean() }}) as is_squash,
        cast(merged_by_username as {{ dbt.type_string() }}) as merged_by_username,
        cast(labels as {{ dbt.type_string() }}) as labels_json,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('merged_at') }} as merged_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
