{{ config(materialized='incremental', unique_key='build_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'builds'), partition_by=['organization', 'build_id'], order_by=['last_changed_at']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'build_id']) }} as build_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(build_id as {{ dbt.type_bigint() }}) as build_id,
        cast(build_number as {{ dbt.type_string() }}) as build_number,
        cast(status as {{ dbt.type_string() }}) as status,
        -- Missing while the build runs.
        cast(result as {{ dbt.type_string() }}) as result,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(definition_id as {{ dbt.type_bigint() }}) as definition_id,
        cast(definition_name as {{ dbt.type_string() }}) as definition_name,
        cast(repository_id as {{ dbt.type_string() }}) as repository_id,
        cast(repository_name as {{ dbt.type_string() }}) as repository_name,
        cast(repository_type as {{ dbt.type_string() }}) as repository_type,
        -- the repository as the tool that hosts it names it: an Azure Repos repository as
        -- `<organization>/<project>/<name>`; a GitHub or Bitbucket one (Azure Pipelines building it) as
        -- `owner/name`, which its `name` holds, else its `id`. Null when no field names it (int_mappings__gaps).
        cast(
            case
                when lower(repository_type) in ('github', 'githubenterprise', 'bitbucket')
                    then coalesce(nullif(repository_name, ''), nullif(repository_id, ''))
                when nullif(repository_name, '') is not null
                    then {{ dbt.concat(["organization", "'/'", "project", "'/'", "repository_name"]) }}
            end as {{ dbt.type_string() }}
        ) as repository,
        cast(source_branch as {{ dbt.type_string() }}) as source_ref_name,
        cast(
            case
                when source_branch like 'refs/heads/%' then substr(source_branch, {{ 'refs/heads/' | length + 1 }})
                else source_branch
            end as {{ dbt.type_string() }}
        ) as source_branch,
        cast(source_version as {{ dbt.type_string() }}) as source_version,
        cast(trigger_pull_request_id as {{ dbt.type_bigint() }}) as trigger_pull_request_id,
        cast(requested_for_unique_name as {{ dbt.type_string() }}) as requested_for_unique_name,
        cast(requested_for_display_name as {{ dbt.type_string() }}) as requested_for_display_name,
        cast(requested_for_id as {{ dbt.type_string() }}) as requested_for_id,
        {{ to_utc_timestamp('queued_at') }} as queued_at,
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at,
        {{ to_utc_timestamp('last_changed_at') }} as last_changed_at,
        cast(url as {{ dbt.type_string() }}) as url,

        {{ lineage_columns() }}

    from source

)

select * from renamed
