{{ config(materialized='incremental', unique_key='pull_request_commit_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'pull_request_commits'),
        partition_by=['organization', 'pull_request_id', 'commit_id']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'pull_request_id', 'commit_id']) }} as pull_request_commit_key,
        {{ surrogate_key(['organization', 'pull_request_id']) }} as pull_request_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(pull_request_id as {{ dbt.type_bigint() }}) as pull_request_id,
        cast(commit_id as {{ dbt.type_string() }}) as commit_id,
        cast(author_name as {{ dbt.type_string() }}) as author_name,
        cast(author_email as {{ dbt.type_string() }}) as author_email,
        {{ to_utc_timestamp('authored_at') }} as authored_at,
        cast(committer_name as {{ dbt.type_string() }}) as committer_name,
        cast(committer_email as {{ dbt.type_string() }}) as committer_email,
        {{ to_utc_timestamp('committed_at') }} as committed_at,
        cast(comment as {{ dbt.type_string() }}) as message,
        cast(url as {{ dbt.type_string() }}) as url,

        {{ lineage_columns() }}

    from source

)

select * from renamed
