{{ config(materialized='incremental', unique_key='pull_request_id') }}

with

source as (

    {{ newest_version(
        source('raw_github', 'pull_requests'), partition_by=['pull_request_id'], order_by=['updated_at']
    ) }}

),

renamed as (

    select
        cast(pull_request_id as {{ dbt.type_bigint() }}) as pull_request_id,
        cast(node_id as {{ dbt.type_string() }}) as node_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(number as {{ dbt.type_bigint() }}) as pull_number,
        cast(state as {{ dbt.type_string() }}) as state,
        cast(is_draft as {{ dbt.type_boolean() }}) as is_draft,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(author_login as {{ dbt.type_string() }}) as author_login,
        cast(author_type as {{ dbt.type_string() }}) as author_type,
        cast(head_ref as {{ dbt.type_string() }}) as head_ref,
        cast(head_sha as {{ dbt.type_string() }}) as head_sha,
        cast(base_ref as {{ dbt.type_string() }}) as base_ref,
        cast(base_repository as {{ dbt.type_string() }}) as base_repository,
        cast(merge_commit_sha as {{ dbt.type_string() }}) as merge_commit_sha,
        cast(labels as {{ dbt.type_string() }}) as labels_json,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        {{ to_utc_timestamp('merged_at') }} as merged_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
