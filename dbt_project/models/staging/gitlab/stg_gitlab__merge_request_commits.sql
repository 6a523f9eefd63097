{{ config(materialized='incremental', unique_key='merge_request_commit_id') }}

with

source as (

    {{ newest_version(
        source('raw_gitlab', 'merge_request_commits'), partition_by=['project_path', 'merge_request_iid', 'sha']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['project_path', 'merge_request_iid', 'sha']) }} as merge_request_commit_id,
        cast(project_path as {{ dbt.type_string() }}) as project_path,
        cast(merge_request_iid as {{ dbt.type_bigint() }}) as merge_request_iid,
        cast(sha as {{ dbt.type_string() }}) as sha,
        cast(short_id as {{ dbt.type_string() }}) as short_sha,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(author_name as {{ dbt.type_string() }}) as author_name,
        cast(author_email as {{ dbt.type_string() }}) as author_email,
        cast(committer_name as {{ dbt.type_string() }}) as committer_name,
        {{ to_utc_timestamp('authored_at') }} as authored_at,
        {{ to_utc_timestamp('committed_at') }} as committed_at,
        cast(parent_count as {{ dbt.type_bigint() }}) as parent_count,

        {{ lineage_columns() }}

    from source

)

select * from renamed
