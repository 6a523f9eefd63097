{#
    One row per throughput history (`history_key` of int_forecast__history_weeks), week ahead and number of
    items done by that week's end: how many of the trials (int_forecast__trial_paths) had done exactly that
    many. Forecasts read their chances from this histogram: the share of trials that had done at least x
    items by week k.
#}
{%- set horizon_weeks = var('forecast_horizon_weeks') | int -%}

{% for week in range(1, horizon_weeks + 1) %}
select
    history_key,
    cast({{ week }} as {{ dbt.type_int() }}) as week_offset,
    done_by_week_{{ week }} as items_done_cumulative,
    cast(count(*) as {{ dbt.type_bigint() }}) as trial_count
from {{ ref('int_forecast__trial_paths') }}
group by history_key, done_by_week_{{ week }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
