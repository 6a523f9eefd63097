{{ config(materialized='incremental', unique_key='deployment_id') }}

with

source as (

    {{ newest_version(source('raw_gitlab', 'deployments'), partition_by=['deployment_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(deployment_id as {{ dbt.type_bigint() }}) as deployment_id,
        cast(project_path as {{ dbt.type_string() }}) as project_path,
        cast(iid as {{ dbt.type_bigint() }}) as deployment_iid,
        cast(ref as {{ dbt.type_string() }}) as ref,
        cast(sha as {{ dbt.type_string() }}) as sha,
        {{ normalized_text('status') }} as status,
        cast(environment_id as {{ dbt.type_bigint() }}) as environment_id,
        cast(environment_name as {{ dbt.type_string() }}) as environment_name,
        {{ normalized_text('environment_tier') }} as environment_tier,
        -- Null, not false, when the body has no tier (older GitLab): the name decides downstream then.
        {{ normalized_text('environment_tier') }} = 'production' as is_production_tier,
        cast(user_username as {{ dbt.type_string() }}) as deployed_by_username,
        cast(deployable_id as {{ dbt.type_bigint() }}) as job_id,
        cast(deployable_name as {{ dbt.type_string() }}) as job_name,
        {{ normalized_text('deployable_status') }} as job_status,
        cast(pipeline_id as {{ dbt.type_bigint() }}) as pipeline_id,
        cast(pipeline_sha as {{ dbt.type_string() }}) as pipeline_sha,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('deployable_started_at') }} as started_at,
        -- Recent GitLab sends finished_at on the deployment; older versions only on its job.
        {{ to_utc_timestamp('coalesce(finished_at, deployable_finished_at)') }} as finished_at,
        case
            when finished_at is not null then 'finished_at'
            when deployable_finished_at is not null then 'deployable.finished_at'
        end as finished_at_source,

        {{ lineage_columns() }}

    from source

)

select * from renamed
