{#
    The two windows each early-warning signal of mart_delivery_risk__weekly compares, per team and week:
    `recent` (this week and the var `flow_risk_recent_weeks` - 1 before) and `baseline` (the var
    `flow_risk_baseline_weeks` weeks before them). A signal's samples are hours dated by a week: the flow
    time of the team's items done (cycle_time), the wait of the handoffs the team received (handoff_wait).
    Adding a signal of the same shape is one more union in `samples`.
#}
{%- set recent_weeks = var('flow_risk_recent_weeks') | int -%}
{%- set baseline_weeks = var('flow_risk_baseline_weeks') | int -%}

with

team_weeks as (

    select team, week_start from {{ ref('int_flow__team_weeks') }}

),

samples as (

    select
        'cycle_time' as signal,
        team,
        cast({{ dbt.date_trunc('week', 'done_at') }} as date) as sample_week,
        flow_time_hours as hours
    from {{ ref('fct_work_items') }}
    where flow_time_hours is not null

    union all

    select
        'handoff_wait' as signal,
        to_team as team,
        cast({{ dbt.date_trunc('week', 'handoff_at') }} as date) as sample_week,
        wait_hours as hours
    from {{ ref('fct_handoffs') }}
    where wait_hours is not null

),

-- Which window a sample falls in, seen from each week.
windowed as (

    select
        team_weeks.team,
        team_weeks.week_start,
        samples.signal,
        case
            when samples.sample_week > {{ dbt.dateadd('week', -recent_weeks, 'team_weeks.week_start') }}
                then 'recent'
            else 'baseline'
        end as window_name,
        samples.hours
    from team_weeks
    inner join samples
        on team_weeks.team = samples.team
        and samples.sample_week <= team_weeks.week_start
        and samples.sample_week > {{ dbt.dateadd('week', -(recent_weeks + baseline_weeks), 'team_weeks.week_start') }}

)

select
    team,
    week_start,
    signal,
    window_name,
    count(*) as item_count,
    {{ percentile_cont_agg('hours', 0.5) }} as median_hours,
    {{ avg_hours('hours') }} as mean_hours
from windowed
group by team, week_start, signal, window_name
