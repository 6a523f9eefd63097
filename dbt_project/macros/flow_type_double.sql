{#
    flow_type_double: an 8-byte floating point type for hours and ratios. dbt's type_float renders FLOAT,
    which DuckDB reads as a 4-byte REAL (too coarse for hours summed over months).
#}
{% macro flow_type_double() -%}
    {{ return(adapter.dispatch('flow_type_double', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__flow_type_double() -%}
    double
{%- endmacro %}

{% macro postgres__flow_type_double() -%}
    double precision
{%- endmacro %}
