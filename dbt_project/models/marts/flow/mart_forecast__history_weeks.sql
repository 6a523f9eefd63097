{#
    The throughput weeks behind every Monte Carlo forecast: one row per forecast scope (an epic, a team, a
    value stream), forecast week (Monday, UTC) and history week it sampled (int_forecast__history_weeks),
    with what was done and added in that week. `delivery explain` lists these rows for a row of
    mart_epic_forecast__weekly or mart_backlog_forecast.
#}
with

history_weeks as (

    select * from {{ ref('int_forecast__history_weeks') }}

)

select
    {{ surrogate_key(['scope_type', 'scope_key', 'week_start', 'history_week_start']) }} as forecast_history_week_key,
    cast(scope_type as {{ dbt.type_string() }}) as scope_type,
    cast(scope_key as {{ dbt.type_string() }}) as scope_key,
    week_start,
    history_week_start,
    cast(history_position as {{ dbt.type_int() }}) as history_position,
    cast(history_week_count as {{ dbt.type_int() }}) as history_week_count,
    cast(items_done as {{ dbt.type_bigint() }}) as items_done,
    cast(items_added as {{ dbt.type_bigint() }}) as items_added,
    cast(history_key as {{ dbt.type_string() }}) as history_key
from history_weeks
