{{ config(materialized='incremental', unique_key='incident_id') }}

with

source as (

    {{ newest_version(source('raw_pagerduty', 'incidents'), partition_by=['incident_id'], order_by=['version_at']) }}

),

renamed as (

    select
        cast(incident_id as {{ dbt.type_string() }}) as incident_id,
        cast(incident_number as {{ dbt.type_bigint() }}) as incident_number,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(description as {{ dbt.type_string() }}) as description,
        {{ normalized_text('status') }} as status,
        {{ normalized_text('urgency') }} as urgency,
        cast(priority_name as {{ dbt.type_string() }}) as priority_name,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(service_summary as {{ dbt.type_string() }}) as service_summary,
        cast(escalation_policy_id as {{ dbt.type_string() }}) as escalation_policy_id,
        cast(team_ids as {{ dbt.type_string() }}) as team_ids_json,
        cast(team_summaries as {{ dbt.type_string() }}) as team_summaries_json,
        cast(incident_key as {{ dbt.type_string() }}) as incident_key,
        cast(html_url as {{ dbt.type_string() }}) as html_url,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('last_status_change_at') }} as last_status_change_at,
        -- The body's resolved_at is often absent: a resolved incident's last status change is its resolution.
        case
            when resolved_at is not null
                then {{ to_utc_timestamp('resolved_at') }}
            when {{ normalized_text('status') }} = 'resolved'
                then {{ to_utc_timestamp('last_status_change_at') }}
        end as resolved_at,
        case
            when resolved_at is not null
                then 'resolved_at'
            when {{ normalized_text('status') }} = 'resolved' and last_status_change_at is not null
                then 'last_status_change_at'
        end as resolved_at_source,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('version_at') }} as version_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
