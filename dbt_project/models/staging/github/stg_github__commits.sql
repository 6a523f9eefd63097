{{ config(materialized='incremental', unique_key='commit_id') }}

with

source as (

    {{ newest_version(source('raw_github', 'commits'), partition_by=['repository', 'sha']) }}

),

renamed as (

    select
        {{ surrogate_key(['repository', 'sha']) }} as commit_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(sha as {{ dbt.type_string() }}) as sha,
        cast(author_login as {{ dbt.type_string() }}) as author_login,
        cast(author_name as {{ dbt.type_string() }}) as author_name,
        {{ to_utc_timestamp('authored_at') }} as authored_at,
        cast(committer_login as {{ dbt.type_string() }}) as committer_login,
        {{ to_utc_timestamp('committed_at') }} as committed_at,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(parent_count as {{ dbt.type_bigint() }}) as parent_count,

        {{ lineage_columns() }}

    from source

)

select * from renamed
