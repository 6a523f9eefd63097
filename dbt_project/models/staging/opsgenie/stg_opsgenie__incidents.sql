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
        -- an incident nobody owns carries `ownerTeam: ""`
        cast(nullif(owner_team_id, '') as {{ dbt.type_string() }}) as owner_team_id,
        -- the team it counts against: the owner team, else the first team among its responders
        cast(
            coalesce(
                nullif(owner_team_id, ''),
                {{ opsgenie_first_team_responder('cast(responder_types as ' ~ dbt.type_string() ~ ')',
                    'cast(responder_ids as ' ~ dbt.type_string() ~ ')') }}
            ) as {{ dbt.type_string() }}
        ) as team_id,
        cast(
            case
                when nullif(owner_team_id, '') is not null then 'ownerTeam'
                when {{ opsgenie_first_team_responder('cast(responder_types as ' ~ dbt.type_string() ~ ')',
                    'cast(responder_ids as ' ~ dbt.type_string() ~ ')') }} is not null then 'responders'
            end as {{ dbt.type_string() }}
        ) as team_id_source,
        cast(responder_types as {{ dbt.type_string() }}) as responder_types_json,
        cast(responder_ids as {{ dbt.type_string() }}) as responder_ids_json,
        cast(impacted_services as {{ dbt.type_string() }}) as impacted_services_json,
        cast(extra_properties as {{ dbt.type_string() }}) as extra_properties_json,
        cast(tags as {{ dbt.type_string() }}) as tags_json,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('impact_started_at') }} as impact_started_at,
        {{ to_utc_timestamp('impact_ended_at') }} as impact_ended_at,
        -- The end of the impact, where declared, is the resolution; otherwise a resolved or closed incident's
        -- last update stands in for it.
        case
            when impact_ended_at is not null then {{ to_utc_timestamp('impact_ended_at') }}
            when {{ normalized_text('status') }} in ('resolved', 'closed')
                then {{ to_utc_timestamp('updated_at') }}
        end as resolved_at,
        case
            when impact_ended_at is not null then 'impactEndDate'
            when {{ normalized_text('status') }} in ('resolved', 'closed') and updated_at is not null
                then 'updated_at'
        end as resolved_at_source,

        {{ lineage_columns() }}

    from source

)

select * from renamed
