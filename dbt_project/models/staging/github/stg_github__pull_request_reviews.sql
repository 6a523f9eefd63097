{{ config(materialized='incremental', unique_key='review_id') }}

with

source as (

    {{ newest_version(source('raw_github', 'pull_request_reviews'), partition_by=['review_id']) }}

),

renamed as (

    select
        cast(review_id as {{ dbt.type_bigint() }}) as review_id,
        cast(node_id as {{ dbt.type_string() }}) as node_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(pull_number as {{ dbt.type_bigint() }}) as pull_number,
        cast(reviewer_login as {{ dbt.type_string() }}) as reviewer_login,
        cast(reviewer_type as {{ dbt.type_string() }}) as reviewer_type,
        upper(cast(state as {{ dbt.type_string() }})) as state,
        {{ to_utc_timestamp('submitted_at') }} as submitted_at,
        cast(commit_id as {{ dbt.type_string() }}) as commit_sha,

        {{ lineage_columns() }}

    from source

)

select * from renamed
