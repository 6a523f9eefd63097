-- One row per deployment attempt, production or not, with its outcome as a change.
with
attempts as (
    select * from {{ ref('int_dora__deployment_attempts') }}
),

production as (
    select * from {{ ref('int_dora__production_deployments') }}
),

outcomes as (
    select * from {{ ref('int_dora__deployment_outcomes') }}
),

-- a team's service: the one PagerDuty service mapped to it (the first by id when there are several)
team_services as (
    select team, min(service_name) as service_name
    from {{ ref('pagerduty_service_teams') }}
    group by team
)

select
    cast(a.deployment_key as {{ dbt.type_string() }}) as deployment_key,
    cast(a.deployment_source as {{ dbt.type_string() }}) as deployment_source,
    cast(a.source_id as {{ dbt.type_string() }}) as source_id,
    cast(a.repository as {{ dbt.type_string() }}) as repository,
    cast(ts.service_name as {{ dbt.type_string() }}) as service_name,
    -- a record no seed maps counts under the unmapped team (listed in int_mappings__gaps), a
    -- team without a value stream in mappings/teams.csv under the unmapped value stream
    cast({{ team_or_unmapped('a.team') }} as {{ dbt.type_string() }}) as team,
    cast({{ value_stream_or_unmapped('t.value_stream') }} as {{ dbt.type_string() }}) as value_stream,
    cast(a.environment as {{ dbt.type_string() }}) as environment,
    cast(a.deployed_sha as {{ dbt.type_string() }}) as deployed_sha,
    cast(a.deployed_ref as {{ dbt.type_string() }}) as deployed_ref,
    cast(a.started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(a.deployed_at as {{ dbt.type_timestamp() }}) as deployed_at,
    cast(a.finished_at as {{ dbt.type_timestamp() }}) as finished_at,
    cast(a.is_deployed_at_approximate as {{ dbt.type_boolean() }}) as is_deployed_at_approximate,
    cast(a.outcome as {{ dbt.type_string() }}) as outcome,
    cast(a.is_production as {{ dbt.type_boolean() }}) as is_production,
    cast(a.is_success as {{ dbt.type_boolean() }}) as is_success,
    cast(p.deployment_key is not null as {{ dbt.type_boolean() }}) as is_production_deployment,
    cast(p.repository_sequence as {{ dbt.type_bigint() }}) as repository_sequence,
    cast(coalesce(p.is_first_known, false) as {{ dbt.type_boolean() }}) as is_first_known,
    cast(p.previous_deployment_key as {{ dbt.type_string() }}) as previous_production_deployment_key,
    cast(coalesce(o.is_failure, false) as {{ dbt.type_boolean() }}) as is_failure,
    cast(o.failure_source as {{ dbt.type_string() }}) as failure_source,
    cast(coalesce(o.incident_count, 0) as {{ dbt.type_bigint() }}) as incident_count,
    cast(o.rollback_deployment_key as {{ dbt.type_string() }}) as rolled_back_by_deployment_key,
    cast(o.restored_at as {{ dbt.type_timestamp() }}) as restored_at,
    cast(
        case
            when o.restored_at >= a.deployed_at then {{ dora_hours_between('a.deployed_at', 'o.restored_at') }}
        end as {{ type_double() }}
    ) as recovery_time_hours,
    cast(coalesce(o.is_rollback, false) as {{ dbt.type_boolean() }}) as is_rollback,
    cast(coalesce(o.ships_hotfix, false) as {{ dbt.type_boolean() }}) as ships_hotfix,
    cast(coalesce(o.ships_defect_fix, false) as {{ dbt.type_boolean() }}) as ships_defect_fix,
    cast(coalesce(o.is_unplanned_fix, false) as {{ dbt.type_boolean() }}) as is_unplanned_fix,
    cast(coalesce(o.change_count, 0) as {{ dbt.type_bigint() }}) as change_count,
    {{ fact_lineage_columns('a') }}
from attempts as a
left join production as p on a.deployment_key = p.deployment_key
left join outcomes as o on a.deployment_key = o.deployment_key
left join {{ ref('teams') }} as t on a.team = t.team
left join team_services as ts on a.team = ts.team
