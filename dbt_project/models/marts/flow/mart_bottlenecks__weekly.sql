{#
    Bottleneck finder, per value stream and week (Monday, UTC): where the flow time of the week went (a
    state duration index). Places are statuses, phases and cross-team handoffs:
    - status and phase: the hours items of the value stream spent in flow (waiting or active statuses, from
      their first start) during the week, cut at the week's bounds; waiting hours are those in waiting
      statuses;
    - handoff: the wait (until work became active) of the handoffs between two teams received in the week,
      dated by the handoff, naming both teams.
    Each place's share of the week's flow hours is compared with its mean share over the var
    `flow_risk_baseline_weeks` (12) weeks before. Rank 1 by waiting hours within a place type is where waiting
    concentrates; the week's largest bottleneck is the phase or team handoff with the most waiting hours, and
    its growing bottleneck the one whose waiting exceeds its baseline share by the most hours (what changed).
#}
{%- set baseline_weeks = var('flow_risk_baseline_weeks') | int -%}

with

work_items as (

    select issue_id, value_stream, started_at from {{ ref('fct_work_items') }}

),

intervals as (

    select
        intervals.issue_id,
        intervals.status_name,
        coalesce(intervals.delivery_phase, 'unmapped') as delivery_phase,
        intervals.flow_state,
        intervals.valid_from,
        coalesce(intervals.valid_to, {{ flow_as_of_at() }}) as valid_to,
        work_items.value_stream
    from {{ ref('int_flow__work_item_status_intervals') }} as intervals
    inner join work_items
        on intervals.issue_id = work_items.issue_id
    where intervals.flow_state in ('waiting', 'active')
        and intervals.valid_from >= work_items.started_at

),

weeks as (

    {{ flow_week_spine('(select min(valid_from) from intervals)', flow_as_of_at()) }}

),

-- Each interval cut at the bounds of every week it overlaps.
interval_weeks as (

    select
        intervals.value_stream,
        weeks.week_start,
        intervals.status_name,
        intervals.delivery_phase,
        intervals.flow_state,
        {{ hours_between(
            'case when intervals.valid_from > weeks.week_start then intervals.valid_from else weeks.week_start end',
            'case when intervals.valid_to < ' ~ dbt.dateadd('day', 7, 'weeks.week_start')
                ~ ' then intervals.valid_to else ' ~ dbt.dateadd('day', 7, 'weeks.week_start') ~ ' end') }} as hours
    from intervals
    inner join weeks
        on intervals.valid_from < {{ dbt.dateadd('day', 7, 'weeks.week_start') }}
        and intervals.valid_to > weeks.week_start

),

week_totals as (

    select value_stream, week_start, {{ sum_hours('hours') }} as flow_hours
    from interval_weeks
    group by value_stream, week_start

),

handoffs as (

    select
        work_items.value_stream,
        cast({{ dbt.date_trunc('week', 'handoffs.handoff_at') }} as date) as week_start,
        handoffs.from_team,
        handoffs.to_team,
        handoffs.wait_hours
    from {{ ref('fct_handoffs') }} as handoffs
    inner join work_items
        on handoffs.issue_id = work_items.issue_id
    where handoffs.is_team_change and handoffs.wait_hours is not null

),

places as (

    select
        value_stream, week_start, 'status' as place_type, status_name as place,
        cast(null as {{ dbt.type_string() }}) as from_team, cast(null as {{ dbt.type_string() }}) as to_team,
        {{ sum_hours('hours') }} as hours,
        {{ sum_hours("case when flow_state = 'waiting' then hours else 0 end") }} as waiting_hours
    from interval_weeks
    group by value_stream, week_start, status_name

    union all

    select
        value_stream, week_start, 'phase' as place_type, delivery_phase as place,
        cast(null as {{ dbt.type_string() }}) as from_team, cast(null as {{ dbt.type_string() }}) as to_team,
        {{ sum_hours('hours') }} as hours,
        {{ sum_hours("case when flow_state = 'waiting' then hours else 0 end") }} as waiting_hours
    from interval_weeks
    group by value_stream, week_start, delivery_phase

    union all

    select
        value_stream, week_start, 'handoff' as place_type, from_team || ' -> ' || to_team as place,
        from_team, to_team,
        {{ sum_hours('wait_hours') }} as hours,
        {{ sum_hours('wait_hours') }} as waiting_hours
    from handoffs
    group by value_stream, week_start, from_team, to_team

),

shares as (

    select
        places.*,
        week_totals.flow_hours,
        places.hours / nullif(week_totals.flow_hours, 0) as share_of_flow_time,
        places.waiting_hours / nullif(week_totals.flow_hours, 0) as waiting_share_of_flow_time
    from places
    inner join week_totals
        on places.value_stream = week_totals.value_stream
        and places.week_start = week_totals.week_start

),

-- The place's mean share over the baseline weeks before (weeks it had no time count as 0).
baselines as (

    select
        current_week.value_stream,
        current_week.week_start,
        current_week.place_type,
        current_week.place,
        {{ sum_fractions('earlier.share_of_flow_time') }} / {{ baseline_weeks }} as baseline_share_of_flow_time,
        {{ sum_fractions('earlier.waiting_share_of_flow_time') }} / {{ baseline_weeks }} as baseline_waiting_share,
        count(distinct earlier.week_start) as baseline_weeks_present
    from shares as current_week
    inner join shares as earlier
        on current_week.value_stream = earlier.value_stream
        and current_week.place_type = earlier.place_type
        and current_week.place = earlier.place
        and earlier.week_start < current_week.week_start
        and earlier.week_start >= {{ dbt.dateadd('week', -baseline_weeks, 'current_week.week_start') }}
    group by current_week.value_stream, current_week.week_start, current_week.place_type, current_week.place

),

ranked as (

    select
        shares.*,
        baselines.baseline_share_of_flow_time,
        -- Waiting beyond what the place's baseline share of this week's flow hours would hold.
        shares.waiting_hours - coalesce(baselines.baseline_waiting_share, 0) * shares.flow_hours as excess_waiting_hours,
        row_number() over (
            partition by shares.value_stream, shares.week_start, shares.place_type
            order by shares.waiting_hours desc, shares.place
        ) as waiting_rank,
        case when shares.place_type in ('phase', 'handoff') then row_number() over (
            partition by shares.value_stream, shares.week_start, case when shares.place_type in ('phase', 'handoff') then 1 else 0 end
            order by shares.waiting_hours desc, shares.place_type desc, shares.place
        ) end as bottleneck_rank
    from shares
    left join baselines
        on shares.value_stream = baselines.value_stream
        and shares.week_start = baselines.week_start
        and shares.place_type = baselines.place_type
        and shares.place = baselines.place

),

growth_ranked as (

    select
        *,
        case when place_type in ('phase', 'handoff') then row_number() over (
            partition by value_stream, week_start, case when place_type in ('phase', 'handoff') then 1 else 0 end
            order by excess_waiting_hours desc, place_type desc, place
        ) end as growth_rank
    from ranked

)

select
    {{ surrogate_key(['value_stream', 'week_start', 'place_type', 'place']) }} as bottleneck_place_week_id,
    value_stream,
    week_start,
    place_type,
    place,
    from_team,
    to_team,
    cast(hours as {{ type_double() }}) as hours,
    cast(waiting_hours as {{ type_double() }}) as waiting_hours,
    cast(flow_hours as {{ type_double() }}) as week_flow_hours,
    cast(share_of_flow_time as {{ type_double() }}) as share_of_flow_time,
    cast(waiting_share_of_flow_time as {{ type_double() }}) as waiting_share_of_flow_time,
    cast(baseline_share_of_flow_time as {{ type_double() }}) as baseline_share_of_flow_time,
    cast(share_of_flow_time / nullif(baseline_share_of_flow_time, 0) as {{ type_double() }}) as share_trend_ratio,
    cast(waiting_rank as {{ dbt.type_int() }}) as waiting_rank,
    coalesce(bottleneck_rank = 1 and waiting_hours > 0, false) as is_largest_bottleneck,
    cast(excess_waiting_hours as {{ type_double() }}) as excess_waiting_hours,
    coalesce(growth_rank = 1 and excess_waiting_hours > 0, false) as is_growing_bottleneck
from growth_ranked
