{#
    Monte Carlo forecast of each team's and each value stream's backlog as of the newest week (Monday, UTC):
    its items neither done nor canceled at the week's end (epics excluded: they contain items), the
    completion dates at 50/70/85/95 % confidence, and the items done by the quarter's end at the same
    confidences, and when the next var `forecast_item_count` items would be done (a number the user sets),
    from int_forecast__outcomes, with the trials and seed behind them.
#}
{%- set confidences = [50, 70, 85, 95] -%}

with

outcomes as (

    select * from {{ ref('int_forecast__outcomes') }}
    where scope_type in ('team', 'value_stream')

),

scope_weeks as (

    select * from {{ ref('int_forecast__scope_weeks') }}

)

select
    {{ surrogate_key(['outcomes.scope_type', 'outcomes.scope_key']) }} as backlog_forecast_key,
    outcomes.scope_type,
    outcomes.scope_key,
    scope_weeks.team,
    scope_weeks.value_stream,
    outcomes.week_start,
    outcomes.remaining_item_count,
    outcomes.history_weeks,
    outcomes.throughput_mean_per_week,
    outcomes.scope_growth_per_week,
    {%- for confidence in confidences %}
    outcomes.p{{ confidence }}_completion_date,
    {%- endfor %}
    outcomes.quarter_end_date,
    {%- for confidence in confidences %}
    outcomes.p{{ confidence }}_items_by_quarter_end,
    {%- endfor %}
    outcomes.forecast_item_count,
    {%- for confidence in confidences %}
    outcomes.p{{ confidence }}_item_count_completion_date,
    {%- endfor %}
    outcomes.forecast_trials,
    outcomes.forecast_seed
from outcomes
inner join scope_weeks
    on outcomes.scope_type = scope_weeks.scope_type
    and outcomes.scope_key = scope_weeks.scope_key
    and outcomes.week_start = scope_weeks.week_start
where outcomes.week_start = (select max(week_start) from scope_weeks)
