{#
    The fact rows behind every cell of the period marts: one row per member set and fact row (and, for flow
    load, per week the item was in progress at the week's end). The sets are rows of the same models the
    marts aggregate (int_dora__metric_events, int_flow__metric_events), so an explanation lists exactly what
    a cell counts. seeds/metric_cells.csv says which sets make up which mart column.
#}
with

dora_events as (

    select * from {{ ref('int_dora__metric_events') }}

),

{% for name, kind in dora_event_sets().items() %}
{{ name }} as (

    select * from dora_events where event_kind = '{{ kind }}'

),
{% endfor %}

flow_events as (

    select * from {{ ref('int_flow__metric_events') }}

),

done_items as (

    select flow_events.*, event_at as done_at from flow_events where event_kind = 'done'

),

delivered_items as (

    select flow_events.*, event_at as delivered_at from flow_events where event_kind = 'delivered'

),

load_items as (

    select flow_events.*, event_at as week_end from flow_events where event_kind = 'in_progress'

),

members as (

    {% set lineage = 'source_tool, source_record_id, _source_file, _record_index, _dlt_load_id' %}

    select
        'deployments' as member_set, 'fct_deployments' as fact_model, event_key as fact_key,
        team, value_stream, event_at, cast(null as {{ type_double() }}) as value_hours,
        {{ dbt.concat(["'production deployment from '", 'deployment_source']) }} as classification,
        {{ lineage }}
    from deployments

    union all

    select
        'failed_deployments', 'fct_deployments', event_key,
        team, value_stream, event_at, recovery_time_hours,
        case failure_source
            when 'both' then 'failed: incident and rollback'
            else {{ dbt.concat(["'failed: '", 'failure_source']) }}
        end,
        {{ lineage }}
    from deployments
    where is_failure

    union all

    -- the failed deployments with a recovery time: the sample of the recovery time median
    select
        'recovered_failures', 'fct_deployments', event_key,
        team, value_stream, event_at, recovery_time_hours,
        case failure_source
            when 'both' then 'recovered: incident and rollback'
            else {{ dbt.concat(["'recovered: '", 'failure_source']) }}
        end,
        {{ lineage }}
    from deployments
    where is_failure and recovery_time_hours is not null

    union all

    select
        'unplanned_fixes', 'fct_deployments', event_key,
        team, value_stream, event_at, cast(null as {{ type_double() }}),
        case
            when ships_hotfix and ships_defect_fix then 'ships a hotfix and a defect fix'
            when ships_hotfix then 'ships a hotfix'
            else 'ships a defect fix'
        end,
        {{ lineage }}
    from deployments
    where is_unplanned_fix

    union all

    select
        'changes', 'fct_changes', event_key,
        team, value_stream, event_at, lead_time_hours,
        {{ dbt.concat(['change_type', "' deployed by '", 'deployment_key']) }},
        {{ lineage }}
    from changes

    union all

    select
        'lead_time_changes', 'fct_changes', event_key,
        team, value_stream, event_at, lead_time_hours,
        {{ dbt.concat(['change_type', "' deployed by '", 'deployment_key', "' (commit ancestry)'"]) }},
        {{ lineage }}
    from changes
    where is_in_lead_time

    union all

    select
        'incidents', 'fct_incidents', event_key,
        team, value_stream, event_at, duration_hours,
        {{ dbt.concat([
            "'attributed by '", 'attribution_method',
            "coalesce(" ~ dbt.concat(["' ('", 'explicit_link_type', "')'"]) ~ ", '')",
            "coalesce(" ~ dbt.concat(["' to '", 'deployment_key']) ~ ", '')"
        ]) }},
        {{ lineage }}
    from incidents

    union all

    select
        'merged_pull_requests', 'fct_changes', event_key,
        team, value_stream, event_at, time_to_merge_hours,
        'pull request merged',
        {{ lineage }}
    from merges

    union all

    select
        'items_done', 'fct_work_items', issue_id,
        team, value_stream, done_at, flow_time_hours,
        {{ dbt.concat(["'done '", 'coalesce(flow_item, ' ~ "'unmapped'" ~ ')']) }},
        {{ lineage }}
    from done_items

    union all

    select
        'items_delivered', 'fct_work_item_deliveries', issue_id,
        team, value_stream, delivered_at, created_to_production_hours,
        {{ dbt.concat(["'shipped by '", 'delivery_deployment_key']) }},
        {{ lineage }}
    from delivered_items

    union all

    -- Flow efficiency's numerator: the active hours of the items done (their flow time is items_done's).
    select
        'items_done_active', 'fct_work_items', issue_id,
        team, value_stream, done_at, active_hours,
        {{ dbt.concat(["'done '", 'coalesce(flow_item, ' ~ "'unmapped'" ~ ')', "', active hours'"]) }},
        {{ lineage }}
    from done_items
    where active_hours is not null

    union all

    select
        'items_started_to_production', 'fct_work_item_deliveries', issue_id,
        team, value_stream, delivered_at, started_to_production_hours,
        {{ dbt.concat(["'shipped by '", 'delivery_deployment_key', "', from its start'"]) }},
        {{ lineage }}
    from delivered_items
    where started_to_production_hours is not null

),

load_members as (

    select
        'flow_load' as member_set, 'fct_work_items' as fact_model, issue_id as fact_key,
        team, value_stream, week_start, cast(week_end as {{ dbt.type_timestamp() }}) as event_at,
        cast(null as {{ type_double() }}) as value_hours,
        'in progress at the end of the week' as classification,
        {{ lineage }}
    from load_items

),

dated as (

    select
        members.*,
        cast({{ dbt.date_trunc('week', 'event_at') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'event_at') }} as date) as month_start
    from members

    union all

    select
        member_set, fact_model, fact_key, team, value_stream, event_at, value_hours, classification,
        {{ lineage }},
        week_start,
        cast(null as date) as month_start
    from load_members

)

select
    cast({{ surrogate_key(['member_set', 'fact_key', 'week_start']) }} as {{ dbt.type_string() }}) as metric_member_id,
    cast(member_set as {{ dbt.type_string() }}) as member_set,
    cast(fact_model as {{ dbt.type_string() }}) as fact_model,
    cast(fact_key as {{ dbt.type_string() }}) as fact_key,
    cast(team as {{ dbt.type_string() }}) as team,
    cast(value_stream as {{ dbt.type_string() }}) as value_stream,
    cast(event_at as {{ dbt.type_timestamp() }}) as event_at,
    cast(week_start as date) as week_start,
    cast(month_start as date) as month_start,
    cast(value_hours as {{ type_double() }}) as value_hours,
    cast(classification as {{ dbt.type_string() }}) as classification,
    {{ fact_lineage_columns('dated') }}
from dated
