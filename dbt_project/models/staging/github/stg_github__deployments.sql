{{ config(materialized='incremental', unique_key='deployment_id') }}

with

source as (

    {{ newest_version(source('raw_github', 'deployments'), partition_by=['deployment_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(deployment_id as {{ dbt.type_bigint() }}) as deployment_id,
        cast(node_id as {{ dbt.type_string() }}) as node_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(sha as {{ dbt.type_string() }}) as sha,
        cast(ref as {{ dbt.type_string() }}) as ref,
        cast(task as {{ dbt.type_string() }}) as task,
        cast(environment as {{ dbt.type_string() }}) as environment,
        cast(original_environment as {{ dbt.type_string() }}) as original_environment,
        cast(is_production_environment as {{ dbt.type_boolean() }}) as is_production_environment,
        cast(is_transient_environment as {{ dbt.type_boolean() }}) as is_transient_environment,
        cast(creator_login as {{ dbt.type_string() }}) as creator_login,
        cast(description as {{ dbt.type_string() }}) as description,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
