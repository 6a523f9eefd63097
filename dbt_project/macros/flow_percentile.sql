{#
    flow_percentile: the continuous percentile `fraction` (0-1) of `expression`, as an aggregate.
    Spelled differently by each warehouse; Trino has only an approximate one.
#}
{% macro flow_percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('flow_percentile', 'delivery_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__flow_percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__flow_percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro trino__flow_percentile(expression, fraction) -%}
    approx_percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__flow_percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
