{{ config(materialized='incremental', unique_key='commit_parent_id') }}

with

source as (

    {{ newest_version(source('raw_github', 'commit_parents'), partition_by=['repository', 'sha', 'parent_index']) }}

),

renamed as (

    select
        {{ surrogate_key(['repository', 'sha', 'parent_index']) }} as commit_parent_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(sha as {{ dbt.type_string() }}) as sha,
        cast(parent_sha as {{ dbt.type_string() }}) as parent_sha,
        cast(parent_index as {{ dbt.type_bigint() }}) as parent_index,

        {{ lineage_columns() }}

    from source

)

select * from renamed
