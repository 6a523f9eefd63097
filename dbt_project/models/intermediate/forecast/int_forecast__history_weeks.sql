{#
    One row per forecast scope, as-of week (those int_forecast__scope_weeks forecasts) and history position: the throughput history a forecast made at
    the end of that week samples. The history is the scope's last var `forecast_history_weeks` (12) weeks up
    to and including the as-of week, weeks with nothing done included, but never before the scope existed (a
    scope 3 weeks old has 3 history weeks). Positions number the weeks by items done (ties by week), so two
    histories holding the same counts in another order have the same `history_key` and share one simulation:
    a draw picks a position uniformly, so the order of the weeks does not matter.
#}
{%- set history_weeks = var('forecast_history_weeks') | int -%}

with

scope_weeks as (

    select scope_type, scope_key, week_start, items_done_in_week, items_added_in_week, is_forecast
    from {{ ref('int_forecast__scope_weeks') }}

),

windowed as (

    select
        as_of.scope_type,
        as_of.scope_key,
        as_of.week_start,
        past.week_start as history_week_start,
        past.items_done_in_week as items_done,
        past.items_added_in_week as items_added
    from scope_weeks as as_of
    inner join scope_weeks as past
        on as_of.scope_type = past.scope_type
        and as_of.scope_key = past.scope_key
        and past.week_start <= as_of.week_start
        and past.week_start > {{ dbt.dateadd('week', -history_weeks, 'as_of.week_start') }}
    where as_of.is_forecast

),

positioned as (

    select
        *,
        row_number() over (
            partition by scope_type, scope_key, week_start order by items_done, history_week_start
        ) as history_position,
        count(*) over (partition by scope_type, scope_key, week_start) as history_week_count
    from windowed

),

history_keys as (

    select
        scope_type,
        scope_key,
        week_start,
        cast(count(*) as {{ dbt.type_string() }}) || ':' || {{ dbt.listagg(
            'cast(items_done as ' ~ dbt.type_string() ~ ')', "','", 'order by items_done'
        ) }} as history_key
    from positioned
    group by scope_type, scope_key, week_start

)

select
    positioned.scope_type,
    positioned.scope_key,
    positioned.week_start,
    positioned.history_week_start,
    cast(positioned.history_position as {{ dbt.type_int() }}) as history_position,
    cast(positioned.history_week_count as {{ dbt.type_int() }}) as history_week_count,
    positioned.items_done,
    positioned.items_added,
    history_keys.history_key
from positioned
inner join history_keys
    on positioned.scope_type = history_keys.scope_type
    and positioned.scope_key = history_keys.scope_key
    and positioned.week_start = history_keys.week_start
