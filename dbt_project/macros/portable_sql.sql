{#
    Expressions that every warehouse spells its own way, shared by all models. Each is dispatched: the
    `default__` version is ANSI-style SQL; the others exist where a warehouse needs another spelling.
#}

{# percentile_cont_agg: the interpolated percentile `fraction` (0-1) of `expression`, as an aggregate.
   Trino has only an approximate one. #}
{% macro percentile_cont_agg(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont_agg', 'delivery_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont_agg(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__percentile_cont_agg(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro trino__percentile_cont_agg(expression, fraction) -%}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__percentile_cont_agg(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{# regexp_extract_first: capture group `group` (0 = the whole match) of the first match of the regular
   expression `pattern` (a SQL string expression) in `text`, or null when nothing matches. #}
{% macro regexp_extract_first(text, pattern, group=0) -%}
    {{ return(adapter.dispatch('regexp_extract_first', 'delivery_warehouse')(text, pattern, group)) }}
{%- endmacro %}

{% macro default__regexp_extract_first(text, pattern, group=0) -%}
    regexp_substr({{ text }}, {{ pattern }}, 1, 1, 'e', {{ group }})
{%- endmacro %}

{% macro trino__regexp_extract_first(text, pattern, group=0) -%}
    regexp_extract({{ text }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro spark__regexp_extract_first(text, pattern, group=0) -%}
    nullif(regexp_extract({{ text }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro duckdb__regexp_extract_first(text, pattern, group=0) -%}
    nullif(regexp_extract({{ text }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{# type_double: an 8-byte floating point type for hours and ratios. dbt's type_float renders FLOAT, which
   DuckDB reads as a 4-byte REAL (too coarse for hours summed over months). #}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{# sum_hours / avg_hours: hours added up as whole seconds. Floating-point addition depends on the order
   of the rows, and parallel aggregation has no fixed order, so a plain sum of doubles can differ in its
   last digit from one build of the same data to the next; a sum of integers cannot. Hours here are
   whole seconds / 3600 to begin with, so nothing is lost. #}
{% macro sum_hours(hours) -%}
    (cast(sum(cast(round(({{ hours }}) * 3600) as {{ dbt.type_bigint() }})) as {{ type_double() }}) / 3600)
{%- endmacro %}

{# hours_between: hours from `start` to `finish` (whole seconds) as a double, negative when finish comes
   first. The cast keeps it a double on every engine: Spark reads `seconds / 3600.0` as a decimal division,
   rounded to its scale. #}
{% macro hours_between(start, finish) -%}
    (cast({{ dbt.datediff(start, finish, 'second') }} as {{ type_double() }}) / 3600)
{%- endmacro %}

{% macro avg_hours(hours) -%}
    ({{ sum_hours(hours) }} / nullif(count({{ hours }}), 0))
{%- endmacro %}

{#- A sum of fractions (shares of a total) that is the same on every build: each term is rounded to 1e-9 and
    added as an integer, because a sum of doubles depends on the order the engine adds them in. -#}
{% macro sum_fractions(fraction) -%}
    (sum(cast(round(({{ fraction }}) * 1000000000) as {{ dbt.type_bigint() }})) / 1000000000.0)
{%- endmacro %}
