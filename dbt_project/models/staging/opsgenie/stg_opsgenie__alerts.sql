{{ config(materialized='incremental', unique_key='alert_id') }}

with

source as (

    {{ newest_version(source('raw_opsgenie', 'alerts'), partition_by=['alert_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(alert_id as {{ dbt.type_string() }}) as alert_id,
        cast(tiny_id as {{ dbt.type_string() }}) as tiny_id,
        cast(alias as {{ dbt.type_string() }}) as alias,
        cast(message as {{ dbt.type_string() }}) as message,
        {{ normalized_text('status') }} as status,
        upper(cast(priority as {{ dbt.type_string() }})) as priority,
        cast(is_acknowledged as {{ dbt.type_boolean() }}) as is_acknowledged,
        cast(is_seen as {{ dbt.type_boolean() }}) as is_seen,
        cast(is_snoozed as {{ dbt.type_boolean() }}) as is_snoozed,
        cast(occurrence_count as {{ dbt.type_bigint() }}) as occurrence_count,
        cast(source as {{ dbt.type_string() }}) as source,
        nullif(cast(owner as {{ dbt.type_string() }}), '') as owner,
        cast(owner_team_id as {{ dbt.type_string() }}) as owner_team_id,
        cast(responder_types as {{ dbt.type_string() }}) as responder_types_json,
        cast(responder_ids as {{ dbt.type_string() }}) as responder_ids_json,
        cast(tags as {{ dbt.type_string() }}) as tags_json,
        cast(integration_type as {{ dbt.type_string() }}) as integration_type,
        cast(integration_name as {{ dbt.type_string() }}) as integration_name,
        cast(acknowledged_by as {{ dbt.type_string() }}) as acknowledged_by,
        cast(closed_by as {{ dbt.type_string() }}) as closed_by,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('last_occurred_at') }} as last_occurred_at,
        -- The report's times are milliseconds since the alert was created, not instants.
        {{ add_milliseconds('ack_time_ms', to_utc_timestamp('created_at')) }} as acknowledged_at,
        case
            when {{ normalized_text('status') }} = 'closed'
                then {{ add_milliseconds('close_time_ms', to_utc_timestamp('created_at')) }}
        end as closed_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
