{#
    Early-warning signals per team and week (Monday, UTC): the last 4 weeks against the team's own
    trailing baseline (the 12 weeks before them). A signal is raised when the ratio reaches
    var `flow_risk_ratio_threshold` and both windows hold at least var `flow_risk_min_items` items. One
    signal alone moves by chance in a small team; the team-week is flagged when at least
    var `flow_risk_min_signals` signals are raised together.
#}
{%- set threshold = var('flow_risk_ratio_threshold') -%}
{%- set min_items = var('flow_risk_min_items') -%}
{%- set min_signals = var('flow_risk_min_signals') -%}

with

team_weeks as (

    select * from {{ ref('mart_flow__weekly') }}

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

done_items as (

    select
        team,
        cast({{ dbt.date_trunc('week', 'done_at') }} as date) as done_week,
        flow_time_hours
    from work_items
    where flow_time_hours is not null

),

received_handoffs as (

    select
        to_team as team,
        cast({{ dbt.date_trunc('week', 'handoff_at') }} as date) as handoff_week,
        wait_hours
    from handoffs
    where wait_hours is not null

),

-- Which window an item falls in, seen from each week: recent (this week and the 3 before) or baseline.
cycle_time_windows as (

    select
        team_weeks.team,
        team_weeks.week_start,
        case
            when done_items.done_week > {{ dbt.dateadd('week', -4, 'team_weeks.week_start') }} then 'recent'
            else 'baseline'
        end as window_name,
        done_items.flow_time_hours as hours
    from team_weeks
    inner join done_items
        on team_weeks.team = done_items.team
        and done_items.done_week <= team_weeks.week_start
        and done_items.done_week > {{ dbt.dateadd('week', -16, 'team_weeks.week_start') }}

),

handoff_wait_windows as (

    select
        team_weeks.team,
        team_weeks.week_start,
        case
            when received_handoffs.handoff_week > {{ dbt.dateadd('week', -4, 'team_weeks.week_start') }} then 'recent'
            else 'baseline'
        end as window_name,
        received_handoffs.wait_hours as hours
    from team_weeks
    inner join received_handoffs
        on team_weeks.team = received_handoffs.team
        and received_handoffs.handoff_week <= team_weeks.week_start
        and received_handoffs.handoff_week > {{ dbt.dateadd('week', -16, 'team_weeks.week_start') }}

),

cycle_times as (

    select
        team,
        week_start,
        window_name,
        count(*) as item_count,
        {{ percentile_cont_agg('hours', 0.5) }} as median_hours
    from cycle_time_windows
    group by team, week_start, window_name

),

handoff_waits as (

    select
        team,
        week_start,
        window_name,
        count(*) as item_count,
        -- Most handoffs go straight to work (wait 0): the median says little, the mean moves.
        {{ avg_hours('hours') }} as mean_hours
    from handoff_wait_windows
    group by team, week_start, window_name

),

wip as (

    select
        current_week.team,
        current_week.week_start,
        current_week.flow_load,
        earlier_week.flow_load as flow_load_4_weeks_ago
    from team_weeks as current_week
    left join team_weeks as earlier_week
        on current_week.team = earlier_week.team
        and earlier_week.week_start = {{ dbt.dateadd('week', -4, 'current_week.week_start') }}

),

signals as (

    select
        team_weeks.team,
        team_weeks.value_stream,
        team_weeks.week_start,
        recent_cycle.median_hours as cycle_time_recent_median_hours,
        baseline_cycle.median_hours as cycle_time_baseline_median_hours,
        coalesce(recent_cycle.item_count, 0) as cycle_time_recent_items,
        coalesce(baseline_cycle.item_count, 0) as cycle_time_baseline_items,
        case
            when recent_cycle.item_count >= {{ min_items }} and baseline_cycle.item_count >= {{ min_items }}
                and baseline_cycle.median_hours > 0
                then recent_cycle.median_hours / baseline_cycle.median_hours
        end as cycle_time_ratio,
        recent_wait.mean_hours as handoff_wait_recent_mean_hours,
        baseline_wait.mean_hours as handoff_wait_baseline_mean_hours,
        case
            when recent_wait.item_count >= {{ min_items }} and baseline_wait.item_count >= {{ min_items }}
                and baseline_wait.mean_hours > 0
                then recent_wait.mean_hours / baseline_wait.mean_hours
        end as handoff_wait_ratio,
        wip.flow_load,
        wip.flow_load_4_weeks_ago,
        case
            when wip.flow_load_4_weeks_ago >= {{ min_items }}
                then 1.0 * wip.flow_load / wip.flow_load_4_weeks_ago
        end as wip_growth_ratio
    from team_weeks
    left join cycle_times as recent_cycle
        on team_weeks.team = recent_cycle.team
        and team_weeks.week_start = recent_cycle.week_start
        and recent_cycle.window_name = 'recent'
    left join cycle_times as baseline_cycle
        on team_weeks.team = baseline_cycle.team
        and team_weeks.week_start = baseline_cycle.week_start
        and baseline_cycle.window_name = 'baseline'
    left join handoff_waits as recent_wait
        on team_weeks.team = recent_wait.team
        and team_weeks.week_start = recent_wait.week_start
        and recent_wait.window_name = 'recent'
    left join handoff_waits as baseline_wait
        on team_weeks.team = baseline_wait.team
        and team_weeks.week_start = baseline_wait.week_start
        and baseline_wait.window_name = 'baseline'
    left join wip
        on team_weeks.team = wip.team
        and team_weeks.week_start = wip.week_start

),

-- The first weeks of data hold items already in flight and a partial baseline: no flags until the
-- baseline spans its full 12 weeks.
baselined as (

    select
        *,
        week_start >= {{ dbt.dateadd('week', 16, 'min(week_start) over ()') }} as has_full_baseline
    from signals

),

flagged as (

    select
        *,
        has_full_baseline and coalesce(cycle_time_ratio >= {{ threshold }}, false) as is_cycle_time_flagged,
        has_full_baseline and coalesce(handoff_wait_ratio >= {{ threshold }}, false) as is_handoff_wait_flagged,
        has_full_baseline and coalesce(wip_growth_ratio >= {{ threshold }}, false) as is_wip_growth_flagged
    from baselined

),

final as (

    select
        {{ surrogate_key(['team', 'week_start']) }} as team_week_id,
        week_start,
        team,
        value_stream,
        cast(cycle_time_recent_median_hours as {{ type_double() }}) as cycle_time_recent_median_hours,
        cast(cycle_time_baseline_median_hours as {{ type_double() }}) as cycle_time_baseline_median_hours,
        cast(cycle_time_recent_items as {{ dbt.type_int() }}) as cycle_time_recent_items,
        cast(cycle_time_baseline_items as {{ dbt.type_int() }}) as cycle_time_baseline_items,
        cast(cycle_time_ratio as {{ type_double() }}) as cycle_time_ratio,
        cast(handoff_wait_recent_mean_hours as {{ type_double() }}) as handoff_wait_recent_mean_hours,
        cast(handoff_wait_baseline_mean_hours as {{ type_double() }}) as handoff_wait_baseline_mean_hours,
        cast(handoff_wait_ratio as {{ type_double() }}) as handoff_wait_ratio,
        cast(flow_load as {{ dbt.type_int() }}) as flow_load,
        cast(flow_load_4_weeks_ago as {{ dbt.type_int() }}) as flow_load_4_weeks_ago,
        cast(wip_growth_ratio as {{ type_double() }}) as wip_growth_ratio,
        has_full_baseline,
        is_cycle_time_flagged,
        is_handoff_wait_flagged,
        is_wip_growth_flagged,
        cast(
            (case when is_cycle_time_flagged then 1 else 0 end)
            + (case when is_handoff_wait_flagged then 1 else 0 end)
            + (case when is_wip_growth_flagged then 1 else 0 end)
            as {{ dbt.type_int() }}
        ) as signals_raised,
        (case when is_cycle_time_flagged then 1 else 0 end)
            + (case when is_handoff_wait_flagged then 1 else 0 end)
            + (case when is_wip_growth_flagged then 1 else 0 end) >= {{ min_signals }} as is_flagged,
        -- Says which numbers raised the flag, for the dashboard's tooltip.
        nullif(
            {{ dbt.concat([
                "case when is_cycle_time_flagged then 'cycle time median ' || cast(round(cycle_time_recent_median_hours, 1) as " ~ dbt.type_string() ~ ") || ' h vs baseline ' || cast(round(cycle_time_baseline_median_hours, 1) as " ~ dbt.type_string() ~ ") || ' h; ' else '' end",
                "case when is_handoff_wait_flagged then 'handoff wait mean ' || cast(round(handoff_wait_recent_mean_hours, 1) as " ~ dbt.type_string() ~ ") || ' h vs baseline ' || cast(round(handoff_wait_baseline_mean_hours, 1) as " ~ dbt.type_string() ~ ") || ' h; ' else '' end",
                "case when is_wip_growth_flagged then 'WIP ' || cast(flow_load as " ~ dbt.type_string() ~ ") || ' vs ' || cast(flow_load_4_weeks_ago as " ~ dbt.type_string() ~ ") || ' four weeks earlier; ' else '' end",
            ]) }},
            ''
        ) as flag_reasons
    from flagged

)

select * from final
