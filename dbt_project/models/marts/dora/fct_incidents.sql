-- One row per incident (PagerDuty, Opsgenie): its team, duration, the production deployment it is attributed
-- to and how.
with
incidents as (
    select * from {{ ref('int_dora__incidents') }}
),

attribution as (
    select * from {{ ref('int_dora__incident_attribution') }}
),

deployments as (
    select deployment_key, deployed_at, restored_at
    from {{ ref('fct_deployments') }}
    where is_production_deployment
)

select
    cast(i.incident_id as {{ dbt.type_string() }}) as incident_id,
    cast(i.incident_number as {{ dbt.type_bigint() }}) as incident_number,
    cast(i.title as {{ dbt.type_string() }}) as title,
    cast(i.service_id as {{ dbt.type_string() }}) as service_id,
    cast(i.service_name as {{ dbt.type_string() }}) as service_name,
    -- a record no seed maps counts under the unmapped team (listed in int_mappings__gaps), a
    -- team without a value stream in mappings/teams.csv under the unmapped value stream
    cast({{ team_or_unmapped('a.team') }} as {{ dbt.type_string() }}) as team,
    cast({{ value_stream_or_unmapped('t.value_stream') }} as {{ dbt.type_string() }}) as value_stream,
    cast(i.status as {{ dbt.type_string() }}) as status,
    cast(i.created_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(i.resolved_at as {{ dbt.type_timestamp() }}) as resolved_at,
    cast(i.resolved_at_source as {{ dbt.type_string() }}) as resolved_at_source,
    cast(
        case
            when i.resolved_at >= i.created_at then {{ dora_hours_between('i.created_at', 'i.resolved_at') }}
        end as {{ type_double() }}
    ) as duration_hours,
    cast(a.deployment_key as {{ dbt.type_string() }}) as deployment_key,
    cast(a.attribution_method as {{ dbt.type_string() }}) as attribution_method,
    cast(a.explicit_link_type as {{ dbt.type_string() }}) as explicit_link_type,
    cast(d.deployed_at as {{ dbt.type_timestamp() }}) as deployment_deployed_at,
    -- the failed deployment's recovery: until the first of its incidents' resolution or its rollback
    cast(
        case
            when d.restored_at >= d.deployed_at then {{ dora_hours_between('d.deployed_at', 'd.restored_at') }}
        end as {{ type_double() }}
    ) as deployment_recovery_time_hours,
    {{ fact_lineage_columns('i') }}
from incidents as i
inner join attribution as a on i.incident_id = a.incident_id
left join deployments as d on a.deployment_key = d.deployment_key
left join {{ ref('teams') }} as t on a.team = t.team
