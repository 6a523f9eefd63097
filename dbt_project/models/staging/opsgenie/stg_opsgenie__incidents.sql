{{ config(materialized='incremental', unique_key='incident_id') }}

with

source as (

    {{ newest_version(source('raw_opsgenie', 'incidents'), partition_by=['incident_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(incident_id as {{ dbt.type_string() }}) as incident_id,
        cast(tiny_id as {{ dbt.type_string() }}) as tiny_id,
        cast(message as {{ dbt.type_string() }}) as message,
        cast(description as {{ dbt.type_string() }}) as description,
        {{ normalized_text('status') }} as status,
        upper(cast(priority as {{ dbt.type_string() }})) as priority,
        cast(owner_team_id as {{ dbt.type_string() }}) as owner_team_id,
        cast(responder_types as {{ dbt.type_string() }}) as responder_types_json,
        cast(responder_ids as {{ dbt.type_string() }}) as responder_ids_json,
        cast(impacted_services as {{ dbt.type_string() }}) as impacted_services_json,
        cast(extra_properties as {{ dbt.type_string() }}) as extra_properties_json,
        cast(tags as {{ dbt.type_string() }}) as tags_json,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        -- The list has no resolution time: a resolved or closed incident's last update stands in for it.
        case
            when {{ normalized_text('status') }} in ('resolved', 'closed')
                then {{ to_utc_timestamp('updated_at') }}
        end as resolved_at,
        case
            when {{ normalized_text('status') }} in ('resolved', 'closed') and updated_at is not null
                then 'updated_at'
        end as resolved_at_source,

        {{ lineage_columns() }}

    from source

)

select * from renamed
