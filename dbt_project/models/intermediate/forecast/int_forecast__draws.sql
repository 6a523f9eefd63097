{#
    One row per Monte Carlo trial (1 to var `forecast_trials`, 10,000): the trial's uniform draw in [0, 1)
    for each week ahead (`uniform_1` to `uniform_<var forecast_horizon_weeks>`, 52), from md5 of (var
    `forecast_seed`, trial, week) (macro forecast_uniform). Every forecast reads the same draws (common
    random numbers): two forecasts differ by their histories, never by chance, and a rebuild with the same
    seed gives the same draws on any engine. One column per week keeps each trial's path on one row, so the
    running totals need no window over a row per trial and week.
#}
{%- set trials = var('forecast_trials') | int -%}
{%- set horizon_weeks = var('forecast_horizon_weeks') | int -%}
{%- set seed = var('forecast_seed') | int -%}

with

trials as (

    {{ forecast_series(trials) }}

)

select
    cast(trials.number as {{ dbt.type_int() }}) as trial,
    {%- for week in range(1, horizon_weeks + 1) %}
    cast({{ forecast_uniform(seed, 'trials.number', week) }} as {{ type_double() }}) as uniform_{{ week }}{{ "," if not loop.last }}
    {%- endfor %}
from trials
