{{ config(materialized='incremental', unique_key='build_key') }}

with

source as (

    {#- A build exported while running and again once finished has two versions: the finished one wins. #}
    {{ newest_version(
        source('raw_jenkins', 'builds'),
        partition_by=['controller', 'job_path', 'build_number'],
        order_by=['case when is_building then 0 else 1 end']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['controller', 'job_path', 'build_number']) }} as build_key,
        cast(controller as {{ dbt.type_string() }}) as controller,
        cast(job_path as {{ dbt.type_string() }}) as job_path,
        cast(build_number as {{ dbt.type_bigint() }}) as build_number,
        cast(display_name as {{ dbt.type_string() }}) as display_name,
        cast(url as {{ dbt.type_string() }}) as url,
        upper(cast(result as {{ dbt.type_string() }})) as result,
        cast(is_building as {{ dbt.type_boolean() }}) as is_building,
        -- Jenkins sends epoch milliseconds: the start, and the duration (0 while running).
        {{ epoch_ms_to_timestamp('started_at_ms') }} as started_at,
        case
            when not is_building and duration_ms is not null
                then {{ epoch_ms_to_timestamp('started_at_ms + duration_ms') }}
        end as finished_at,
        case when not is_building then cast(duration_ms as {{ dbt.type_bigint() }}) end as duration_ms,
        cast(estimated_duration_ms as {{ dbt.type_bigint() }}) as estimated_duration_ms,
        cast(parameters as {{ dbt.type_string() }}) as parameters_json,
        cast(git_sha as {{ dbt.type_string() }}) as git_sha,
        cast(git_branch as {{ dbt.type_string() }}) as git_branch,
        cast(git_remote_url as {{ dbt.type_string() }}) as git_remote_url,

        {{ lineage_columns() }}

    from source

)

select * from renamed
