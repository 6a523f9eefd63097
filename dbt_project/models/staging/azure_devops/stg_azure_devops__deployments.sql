{{ config(materialized='incremental', unique_key='deployment_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'deployments'),
        partition_by=['organization', 'deployment_record_id'],
        order_by=['finished_at']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'deployment_record_id']) }} as deployment_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(deployment_record_id as {{ dbt.type_bigint() }}) as deployment_record_id,
        cast(environment_name as {{ dbt.type_string() }}) as environment_name,
        cast(environment_id as {{ dbt.type_bigint() }}) as environment_id,
        cast(request_identifier as {{ dbt.type_string() }}) as request_identifier,
        cast(plan_type as {{ dbt.type_string() }}) as plan_type,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(definition_id as {{ dbt.type_bigint() }}) as definition_id,
        cast(definition_name as {{ dbt.type_string() }}) as definition_name,
        cast(build_id as {{ dbt.type_bigint() }}) as build_id,
        {{ surrogate_key(['organization', 'build_id']) }} as build_key,
        cast(build_number as {{ dbt.type_string() }}) as build_number,
        cast(stage_name as {{ dbt.type_string() }}) as stage_name,
        cast(stage_attempt as {{ dbt.type_bigint() }}) as stage_attempt,
        cast(job_name as {{ dbt.type_string() }}) as job_name,
        cast(job_attempt as {{ dbt.type_bigint() }}) as job_attempt,
        -- Missing while the job runs.
        cast(result as {{ dbt.type_string() }}) as result,
        {{ to_utc_timestamp('queued_at') }} as queued_at,
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
