-- One row per incident of every incident tool: PagerDuty incidents and Opsgenie incidents, with the team
-- they count against. Opsgenie alerts are not incidents: an alert is a signal, and one incident may gather
-- many; they stay in staging.
with
pagerduty as (
    select
        i.incident_id,
        i.incident_number,
        i.title,
        i.description,
        i.service_id,
        i.service_summary as service_name,
        st.team,
        i.status,
        i.created_at,
        i.resolved_at,
        i.resolved_at_source,
        'pagerduty' as source_tool,
        i.incident_id as source_record_id,
        i._source_file,
        i._record_index,
        i._dlt_load_id
    from {{ ref('stg_pagerduty__incidents') }} as i
    left join {{ ref('pagerduty_service_teams') }} as st on i.service_id = st.service_id
),

opsgenie as (
    select
        i.incident_id,
        -- the tiny id is the number Opsgenie shows (`#21`)
        {{ dbt.safe_cast('i.tiny_id', dbt.type_bigint()) }} as incident_number,
        i.message as title,
        i.description,
        -- the list body names impacted services by id only; the first one stands for the incident
        {{ regexp_extract_first('i.impacted_services_json', "'\"([^\"]+)\"'", 1) }} as service_id,
        cast(null as {{ dbt.type_string() }}) as service_name,
        tt.team,
        i.status,
        i.created_at,
        i.resolved_at,
        i.resolved_at_source,
        'opsgenie' as source_tool,
        i.incident_id as source_record_id,
        i._source_file,
        i._record_index,
        i._dlt_load_id
    from {{ ref('stg_opsgenie__incidents') }} as i
    -- the owner team, else the first team responder (an unowned incident's `ownerTeam` is empty)
    left join {{ ref('opsgenie_team_teams') }} as tt on i.team_id = tt.opsgenie_team_id
),

incidents as (
    select * from pagerduty
    union all
    select * from opsgenie
)

select
    cast(incident_id as {{ dbt.type_string() }}) as incident_id,
    cast(incident_number as {{ dbt.type_bigint() }}) as incident_number,
    cast(title as {{ dbt.type_string() }}) as title,
    cast(description as {{ dbt.type_string() }}) as description,
    cast(service_id as {{ dbt.type_string() }}) as service_id,
    cast(service_name as {{ dbt.type_string() }}) as service_name,
    cast(team as {{ dbt.type_string() }}) as team,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(resolved_at as {{ dbt.type_timestamp() }}) as resolved_at,
    cast(resolved_at_source as {{ dbt.type_string() }}) as resolved_at_source,
    {{ fact_lineage_columns('incidents') }}
from incidents
