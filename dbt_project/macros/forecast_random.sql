{#
    Portable pseudo-random draws for the Monte Carlo forecasts. A draw is a pure function of (seed, trial,
    week): the first 32 bits of md5('<seed>|<trial>|<week>') over 2^32, a uniform number in [0, 1). The
    same seed gives the same draws on every build and on every engine that has md5, so forecasts are
    reproducible and equal across warehouses.
#}
{% macro forecast_uniform(seed, trial, week) -%}
    {{ return(adapter.dispatch('forecast_uniform', 'delivery_warehouse')(seed, trial, week)) }}
{%- endmacro %}

{#- The md5 input: '<seed>|<trial>|<week>', each an integer expression. -#}
{% macro forecast_draw_text(seed, trial, week) -%}
    cast({{ seed }} as {{ dbt.type_string() }}) || '|' || cast({{ trial }} as {{ dbt.type_string() }})
        || '|' || cast({{ week }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro default__forecast_uniform(seed, trial, week) -%}
    {{ exceptions.raise_compiler_error(
        "forecast_uniform has no version for the adapter '" ~ adapter.type() ~ "': add one that reads the "
        ~ "first 8 hex digits of md5 as an integer (dbt_project/macros/forecast_random.sql)") }}
{%- endmacro %}

{#- DuckDB reads a '0x'-prefixed hex string as an integer. -#}
{% macro duckdb__forecast_uniform(seed, trial, week) -%}
    (cast(('0x' || substr(md5({{ forecast_draw_text(seed, trial, week) }}), 1, 8)) as bigint) / 4294967296.0)
{%- endmacro %}

{#- Spark SQL: md5 gives 32 hex digits; conv(hex, 16, 10) their decimal digits. Written from Spark SQL's
    function reference; not run by the test suite. -#}
{% macro spark__forecast_uniform(seed, trial, week) -%}
    (cast(conv(substr(md5({{ forecast_draw_text(seed, trial, week) }}), 1, 8), 16, 10) as bigint) / 4294967296.0)
{%- endmacro %}

{#
    forecast_series: one row per number 1..`count` (column `number`), `count` an integer known when the
    model compiles (a var). dbt's generate_series everywhere; DuckDB's range where it is available.
#}
{% macro forecast_series(count) -%}
    {{ return(adapter.dispatch('forecast_series', 'delivery_warehouse')(count)) }}
{%- endmacro %}

{% macro default__forecast_series(count) -%}
    select generated_number as number from ({{ dbt.generate_series(count) }}) as series
{%- endmacro %}

{% macro duckdb__forecast_series(count) -%}
    select cast(range as {{ dbt.type_int() }}) as number from range(1, {{ count }} + 1)
{%- endmacro %}

{% macro spark__forecast_series(count) -%}
    select explode(sequence(1, {{ count }})) as number
{%- endmacro %}

{#
    forecast_array_agg: the values of `value` in a group as an array ordered by `order_by`;
    forecast_array_at: the element at 1-based `index` of such an array. A trial's week picks its history
    week by position in O(1), where a CASE over every position would test each in turn.
#}
{% macro forecast_array_agg(value, order_by) -%}
    {{ return(adapter.dispatch('forecast_array_agg', 'delivery_warehouse')(value, order_by)) }}
{%- endmacro %}

{% macro default__forecast_array_agg(value, order_by) -%}
    array_agg({{ value }} order by {{ order_by }})
{%- endmacro %}

{#- Spark's collect_list has no order: sort (position, value) pairs, keep the values. -#}
{% macro spark__forecast_array_agg(value, order_by) -%}
    transform(array_sort(collect_list(named_struct('position', {{ order_by }}, 'value', {{ value }}))), pair -> pair.value)
{%- endmacro %}

{% macro forecast_array_at(array, index) -%}
    {{ return(adapter.dispatch('forecast_array_at', 'delivery_warehouse')(array, index)) }}
{%- endmacro %}

{% macro default__forecast_array_at(array, index) -%}
    ({{ array }})[{{ index }}]
{%- endmacro %}

{% macro spark__forecast_array_at(array, index) -%}
    element_at({{ array }}, {{ index }})
{%- endmacro %}
