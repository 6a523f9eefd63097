{#
    Flow metrics per team and week (weeks start Monday, UTC). Items count under their owning team (the
    team of their project, first owned component or area path; `unmapped` when no seed maps them) and
    their flow item at close (open items: as they are now). An item counts as done in the week of its
    done_at (the start of its final stretch of done statuses), and as delivered in the week the
    deployment that shipped the last of its pull requests reached production. The rows counted are those of
    int_flow__metric_events, which fct_metric_members lists.
#}
with

team_weeks as (

    select * from {{ ref('int_flow__team_weeks') }}

),

events as (

    select * from {{ ref('int_flow__metric_events') }}

),

done_items as (

    select team, week_start as done_week, flow_item, flow_time_hours, active_hours
    from events
    where event_kind = 'done'

),

delivered_items as (

    select team, week_start as delivered_week, created_to_production_hours, started_to_production_hours
    from events
    where event_kind = 'delivered'

),

load_items as (

    select team, week_start
    from events
    where event_kind = 'in_progress'

),

done_by_week as (

    select
        team,
        done_week as week_start,
        count(*) as items_done,
        sum(case when flow_item = 'feature' then 1 else 0 end) as features_done,
        sum(case when flow_item = 'defect' then 1 else 0 end) as defects_done,
        sum(case when flow_item = 'risk' then 1 else 0 end) as risks_done,
        sum(case when flow_item = 'debt' then 1 else 0 end) as debts_done,
        {{ percentile_cont_agg('flow_time_hours', 0.5) }} as flow_time_median_hours,
        {{ percentile_cont_agg('flow_time_hours', 0.85) }} as flow_time_p85_hours,
        {{ sum_hours('active_hours') }} as active_hours,
        {{ sum_hours('flow_time_hours') }} as flow_time_hours
    from done_items
    group by team, done_week

),

-- Product delivery lead time, in the week the item reached production, under the item's team.
delivered_by_week as (

    select
        team,
        delivered_week as week_start,
        count(*) as items_delivered,
        {{ percentile_cont_agg('created_to_production_hours', 0.5) }} as delivery_lead_time_median_hours,
        {{ percentile_cont_agg('created_to_production_hours', 0.85) }} as delivery_lead_time_p85_hours,
        {{ percentile_cont_agg('started_to_production_hours', 0.5) }} as started_to_production_median_hours,
        {{ percentile_cont_agg('started_to_production_hours', 0.85) }} as started_to_production_p85_hours
    from delivered_items
    group by team, delivered_week

),

load_by_week as (

    select team, week_start, count(*) as flow_load
    from load_items
    group by team, week_start

),

final as (

    select
        {{ surrogate_key(['team_weeks.team', 'team_weeks.week_start']) }} as team_week_id,
        team_weeks.week_start,
        team_weeks.team,
        team_weeks.value_stream,
        cast(coalesce(done_by_week.items_done, 0) as {{ dbt.type_int() }}) as items_done,
        cast(coalesce(done_by_week.features_done, 0) as {{ dbt.type_int() }}) as features_done,
        cast(coalesce(done_by_week.defects_done, 0) as {{ dbt.type_int() }}) as defects_done,
        cast(coalesce(done_by_week.risks_done, 0) as {{ dbt.type_int() }}) as risks_done,
        cast(coalesce(done_by_week.debts_done, 0) as {{ dbt.type_int() }}) as debts_done,
        cast(done_by_week.flow_time_median_hours as {{ type_double() }}) as flow_time_median_hours,
        cast(done_by_week.flow_time_p85_hours as {{ type_double() }}) as flow_time_p85_hours,
        cast(
            case
                when done_by_week.flow_time_hours > 0
                    then least(done_by_week.active_hours / done_by_week.flow_time_hours, 1.0)
            end as {{ type_double() }}
        ) as flow_efficiency,
        cast(coalesce(load_by_week.flow_load, 0) as {{ dbt.type_int() }}) as flow_load,
        {% for item in ['feature', 'defect', 'risk', 'debt'] %}
        cast(
            case when done_by_week.items_done > 0 then 1.0 * done_by_week.{{ item }}s_done / done_by_week.items_done end
            as {{ type_double() }}
        ) as {{ item }}_share,
        {% endfor %}
        cast(coalesce(delivered_by_week.items_delivered, 0) as {{ dbt.type_int() }}) as items_delivered,
        cast(delivered_by_week.delivery_lead_time_median_hours as {{ type_double() }}) as delivery_lead_time_median_hours,
        cast(delivered_by_week.delivery_lead_time_p85_hours as {{ type_double() }}) as delivery_lead_time_p85_hours,
        cast(delivered_by_week.started_to_production_median_hours as {{ type_double() }})
            as started_to_production_median_hours,
        cast(delivered_by_week.started_to_production_p85_hours as {{ type_double() }})
            as started_to_production_p85_hours,
        -- flow efficiency's numerator and denominator, over the items done in the week
        cast(coalesce(done_by_week.active_hours, 0) as {{ type_double() }}) as flow_efficiency_active_hours,
        cast(coalesce(done_by_week.flow_time_hours, 0) as {{ type_double() }}) as flow_efficiency_flow_time_hours,
        -- a median or share over fewer items than the minimum swings on one item: marked, never hidden
        coalesce(done_by_week.items_done, 0) < {{ var('few_data_minimum') }} as is_few_data,
        coalesce(delivered_by_week.items_delivered, 0) < {{ var('few_data_minimum') }}
            as is_few_data_delivery_lead_time
    from team_weeks
    left join done_by_week
        on team_weeks.team = done_by_week.team
        and team_weeks.week_start = done_by_week.week_start
    left join load_by_week
        on team_weeks.team = load_by_week.team
        and team_weeks.week_start = load_by_week.week_start
    left join delivered_by_week
        on team_weeks.team = delivered_by_week.team
        and team_weeks.week_start = delivered_by_week.week_start

),

-- a rate's change is read in percentage points, never as a relative change of a percentage; team_weeks is
-- dense (every team, every week), so the previous row is the previous week
with_deltas as (

    select
        final.*,
        cast(
            (flow_efficiency - lag(flow_efficiency) over (partition by team order by week_start)) * 100
            as {{ type_double() }}
        ) as flow_efficiency_delta_pp
    from final

)

select * from with_deltas
