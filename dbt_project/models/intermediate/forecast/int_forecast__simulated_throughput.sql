{#
    One row per throughput history (`history_key` of int_forecast__history_weeks), week ahead and number of
    items done by that week's end: how many of the trials (int_forecast__trial_paths) had done exactly that
    many. Forecasts read their chances from this histogram: the share of trials that had done at least x
    items by week k.
#}
{%- set horizon_weeks = var('forecast_horizon_weeks') | int -%}

with

trial_paths as (

    select * from {{ ref('int_forecast__trial_paths') }}

),

weeks_ahead as (

    {{ forecast_series(horizon_weeks) }}

),

-- A trial's wide row turned into one row per week ahead, in one pass over the trials: a union of one
-- aggregation per week read them once per week, and Spark computed the (ephemeral) trials again each time.
done_by_week as (

    select
        trial_paths.history_key,
        weeks_ahead.number as week_offset,
        case weeks_ahead.number
            {%- for week in range(1, horizon_weeks + 1) %}
            when {{ week }} then trial_paths.done_by_week_{{ week }}
            {%- endfor %}
        end as items_done_cumulative
    from trial_paths
    cross join weeks_ahead

)

select
    history_key,
    cast(week_offset as {{ dbt.type_int() }}) as week_offset,
    items_done_cumulative,
    cast(count(*) as {{ dbt.type_bigint() }}) as trial_count
from done_by_week
group by history_key, week_offset, items_done_cumulative
