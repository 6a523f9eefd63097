{#
    One row per throughput history (`history_key` of int_forecast__history_weeks) and Monte Carlo trial: the
    items the trial has done by the end of each week ahead (`done_by_week_1` ...). Each week of a trial picks
    one of the history's weeks with the trial's draw for that week (position = floor(draw × history weeks)
    + 1, uniform over the weeks) and does what was done then. A history shared by many scopes and weeks is
    simulated once.
    Ephemeral: a wide row per history and trial (52 columns, 10,000 trials per history) is only the step
    to the histogram int_forecast__simulated_throughput, which reads it once; kept as a
    table it would hold more rows than every other intermediate model, for nothing a reader needs.
#}
{{ config(materialized='ephemeral') }}
{%- set horizon_weeks = var('forecast_horizon_weeks') | int -%}
{#- Running totals in blocks of 8 weeks: each total adds a block prefix and at most 8 weeks, not all before it. -#}
{%- set block_size = 8 -%}
{%- set blocks = range(1, horizon_weeks + 1) | batch(block_size) | list -%}

with

history_weeks as (

    select distinct history_key, history_week_count, history_position, items_done
    from {{ ref('int_forecast__history_weeks') }}

),

-- One row per history: its week count and what each position did, in position order.
histories as (

    select
        history_key,
        max(history_week_count) as history_week_count,
        {{ forecast_array_agg('items_done', 'history_position') }} as done_by_position
    from history_weeks
    group by history_key

),

draws as (

    select * from {{ ref('int_forecast__draws') }}

),

weekly as (

    select
        histories.history_key,
        draws.trial,
        {%- for week in range(1, horizon_weeks + 1) %}
        {{ forecast_array_at(
            'histories.done_by_position',
            'cast(floor(draws.uniform_' ~ week ~ ' * histories.history_week_count) as ' ~ dbt.type_int() ~ ') + 1'
        ) }} as done_in_week_{{ week }}{{ "," if not loop.last }}
        {%- endfor %}
    from histories
    cross join draws

),

block_prefixes as (

    select
        *,
        {%- for block in blocks %}
        {% for earlier in blocks[:loop.index0] %}{% for week in earlier %}done_in_week_{{ week }} + {% endfor %}{% endfor %}0 as done_before_block_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from weekly

)

select
    history_key,
    trial,
    {%- for block in blocks %}
    {%- set block_number = loop.index %}
    {%- set last_block = loop.last %}
    {%- for week in block %}
    cast(done_before_block_{{ block_number }}{% for earlier in block if earlier <= week %} + done_in_week_{{ earlier }}{% endfor %} as {{ dbt.type_bigint() }}) as done_by_week_{{ week }}{{ "," if not (last_block and loop.last) }}
    {%- endfor %}
    {%- endfor %}
from block_prefixes
