{#
    Early-warning signals per team and week (Monday, UTC): the last var `flow_risk_recent_weeks` weeks (4)
    against the team's own trailing baseline (the var `flow_risk_baseline_weeks` weeks before them, 12); the
    windows are int_flow__risk_signal_windows. A signal is raised when the ratio reaches
    var `flow_risk_ratio_threshold` and both windows hold at least var `flow_risk_min_items` items. One
    signal alone moves by chance in a small team; the team-week is flagged when at least
    var `flow_risk_min_signals` signals are raised together.
#}
{%- set threshold = var('flow_risk_ratio_threshold') -%}
{%- set min_items = var('flow_risk_min_items') -%}
{%- set min_signals = var('flow_risk_min_signals') -%}
{%- set recent_weeks = var('flow_risk_recent_weeks') | int -%}
{%- set baseline_weeks = var('flow_risk_baseline_weeks') | int -%}
{#- flag_reasons says how far back WIP is compared, in words for the weeks a reader counts on one hand. -#}
{%- set number_words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'] -%}
{%- set recent_weeks_in_words = number_words[recent_weeks] if recent_weeks < number_words | length else recent_weeks -%}

with

team_weeks as (

    select * from {{ ref('mart_flow__weekly') }}

),

signal_windows as (

    select * from {{ ref('int_flow__risk_signal_windows') }}

),

-- Cycle time compares medians; most handoffs go straight to work (wait 0): their median says little, the
-- mean moves.
cycle_times as (

    select team, week_start, window_name, item_count, median_hours
    from signal_windows
    where signal = 'cycle_time'

),

handoff_waits as (

    select team, week_start, window_name, item_count, mean_hours
    from signal_windows
    where signal = 'handoff_wait'

),

wip as (

    select
        current_week.team,
        current_week.week_start,
        current_week.flow_load,
        -- the load at the start of the recent window (published under its default's name)
        earlier_week.flow_load as flow_load_4_weeks_ago
    from team_weeks as current_week
    left join team_weeks as earlier_week
        on current_week.team = earlier_week.team
        and earlier_week.week_start = {{ dbt.dateadd('week', -recent_weeks, 'current_week.week_start') }}

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
-- baseline spans its full length.
baselined as (

    select
        *,
        week_start >= {{ dbt.dateadd('week', recent_weeks + baseline_weeks, 'min(week_start) over ()') }}
            as has_full_baseline
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
                "case when is_wip_growth_flagged then 'WIP ' || cast(flow_load as " ~ dbt.type_string() ~ ") || ' vs ' || cast(flow_load_4_weeks_ago as " ~ dbt.type_string() ~ ") || ' " ~ recent_weeks_in_words ~ " weeks earlier; ' else '' end",
            ]) }},
            ''
        ) as flag_reasons
    from flagged

)

select * from final
