{{ config(materialized='incremental', unique_key='pipeline_id') }}

with

source as (

    {{ newest_version(source('raw_gitlab', 'pipelines'), partition_by=['pipeline_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(pipeline_id as {{ dbt.type_bigint() }}) as pipeline_id,
        cast(project_path as {{ dbt.type_string() }}) as project_path,
        cast(project_id as {{ dbt.type_bigint() }}) as project_id,
        cast(iid as {{ dbt.type_bigint() }}) as pipeline_iid,
        {{ normalized_text('status') }} as status,
        {{ normalized_text('source') }} as source,
        cast(ref as {{ dbt.type_string() }}) as ref,
        cast(sha as {{ dbt.type_string() }}) as sha,
        cast(name as {{ dbt.type_string() }}) as name,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('started_at') }} as started_at,
        {{ to_utc_timestamp('finished_at') }} as finished_at,
        cast(duration_seconds as {{ dbt.type_bigint() }}) as duration_seconds,

        {{ lineage_columns() }}

    from source

)

select * from renamed
