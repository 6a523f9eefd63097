{{ config(materialized='incremental', unique_key='deployment_status_id') }}

with

source as (

    {{ newest_version(
        source('raw_github', 'deployment_statuses'), partition_by=['deployment_status_id'], order_by=['updated_at']
    ) }}

),

renamed as (

    select
        cast(deployment_status_id as {{ dbt.type_bigint() }}) as deployment_status_id,
        cast(deployment_id as {{ dbt.type_bigint() }}) as deployment_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        {{ normalized_text('state') }} as state,
        cast(environment as {{ dbt.type_string() }}) as environment,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(creator_login as {{ dbt.type_string() }}) as creator_login,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
