{#
    The few expressions of the DORA models that differ between warehouses. Each is dispatched: the
    `default__` version is ANSI-style SQL, the `duckdb__` version is what DuckDB needs.
#}

{# dora_regexp_matches: true when `value` matches the regular expression `pattern`, ignoring case. #}
{% macro dora_regexp_matches(value, pattern) -%}
    {{ return(adapter.dispatch('dora_regexp_matches', 'delivery_warehouse')(value, pattern)) }}
{%- endmacro %}

{% macro default__dora_regexp_matches(value, pattern) -%}
    regexp_like(lower({{ value }}), lower({{ pattern }}))
{%- endmacro %}

{% macro duckdb__dora_regexp_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }}, 'i')
{%- endmacro %}

{# dora_regexp_extract: the `group`-th capture group of the first match of `pattern` in `value`, else null. #}
{% macro dora_regexp_extract(value, pattern, group=0) -%}
    {{ return(adapter.dispatch('dora_regexp_extract', 'delivery_warehouse')(value, pattern, group)) }}
{%- endmacro %}

{% macro default__dora_regexp_extract(value, pattern, group=0) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro duckdb__dora_regexp_extract(value, pattern, group=0) -%}
    nullif(regexp_extract({{ value }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{# dora_percentile: the interpolated percentile `fraction` (0..1) of `column` within a group. #}
{% macro dora_percentile(column, fraction) -%}
    {{ return(adapter.dispatch('dora_percentile', 'delivery_warehouse')(column, fraction)) }}
{%- endmacro %}

{% macro default__dora_percentile(column, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__dora_percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

{# dora_hours_between: hours from `start` to `finish` as a double, negative when finish comes first. #}
{% macro dora_hours_between(start, finish) -%}
    cast({{ dbt.datediff(start, finish, 'second') }} as {{ dora_type_double() }}) / 3600.0
{%- endmacro %}

{# dora_with_recursive: the keyword that opens a recursive common table expression. #}
{% macro dora_with_recursive() -%}
    {{ return(adapter.dispatch('dora_with_recursive', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__dora_with_recursive() -%}
    with recursive
{%- endmacro %}

{# dora_type_double: a double-precision floating point type (dbt's type_float is single precision on DuckDB). #}
{% macro dora_type_double() -%}
    {{ return(adapter.dispatch('dora_type_double', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__dora_type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__dora_type_double() -%}
    double
{%- endmacro %}
