{#
    Aging work in progress (the flow item analyzer): every item in flow at the as-of time (its current
    status is waiting or active) with its age in the current status and in flow, against the 50th, 85th and
    95th percentile flow time of the items its team finished with the same flow item type. Age in flow
    counts as flow time does: from the first move into waiting or active, less time spent done or canceled
    before a reopen. An item older than its team's 85th percentile is flagged.
#}
with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

intervals as (

    select * from {{ ref('int_flow__work_item_status_intervals') }}

),

in_flow as (

    select * from work_items
    where current_flow_state in ('waiting', 'active')

),

ages as (

    select
        in_flow.issue_id,
        {{ sum_hours(
            "case when intervals.valid_from >= in_flow.started_at"
            ~ " and coalesce(intervals.flow_state, '') not in ('done', 'canceled')"
            ~ " then intervals.duration_hours else 0 end"
        ) }} as age_in_flow_hours,
        max(case when intervals.is_current then intervals.duration_hours end) as age_in_status_hours,
        max(case when intervals.is_current then intervals.valid_from end) as status_entered_at
    from in_flow
    inner join intervals
        on in_flow.issue_id = intervals.issue_id
    group by in_flow.issue_id

),

-- Flow time percentiles of the items each team finished, per flow item type.
finished as (

    select
        team,
        coalesce(flow_item, 'unmapped') as flow_item,
        count(*) as items_done,
        {{ percentile_cont_agg('flow_time_hours', 0.5) }} as flow_time_p50_hours,
        {{ percentile_cont_agg('flow_time_hours', 0.85) }} as flow_time_p85_hours,
        {{ percentile_cont_agg('flow_time_hours', 0.95) }} as flow_time_p95_hours
    from work_items
    where flow_time_hours is not null
    group by team, coalesce(flow_item, 'unmapped')

)

select
    in_flow.issue_id,
    in_flow.issue_key,
    in_flow.team,
    in_flow.value_stream,
    in_flow.holding_team,
    coalesce(in_flow.flow_item, 'unmapped') as flow_item,
    in_flow.current_status,
    in_flow.current_phase,
    in_flow.current_flow_state,
    in_flow.started_at,
    ages.status_entered_at,
    cast(ages.age_in_status_hours as {{ type_double() }}) as age_in_status_hours,
    cast(ages.age_in_flow_hours as {{ type_double() }}) as age_in_flow_hours,
    cast(coalesce(finished.items_done, 0) as {{ dbt.type_bigint() }}) as team_items_done,
    cast(finished.flow_time_p50_hours as {{ type_double() }}) as team_flow_time_p50_hours,
    cast(finished.flow_time_p85_hours as {{ type_double() }}) as team_flow_time_p85_hours,
    cast(finished.flow_time_p95_hours as {{ type_double() }}) as team_flow_time_p95_hours,
    coalesce(ages.age_in_flow_hours > finished.flow_time_p85_hours, false) as is_over_p85,
    coalesce(ages.age_in_flow_hours > finished.flow_time_p95_hours, false) as is_over_p95
from in_flow
inner join ages
    on in_flow.issue_id = ages.issue_id
left join finished
    on in_flow.team = finished.team
    and coalesce(in_flow.flow_item, 'unmapped') = finished.flow_item
