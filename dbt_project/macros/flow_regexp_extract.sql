{#
    flow_regexp_extract: the first match of the regular expression `pattern` (a SQL string expression) in
    `text`, or null when nothing matches. Spelled differently by each warehouse.
#}
{% macro flow_regexp_extract(text, pattern) -%}
    {{ return(adapter.dispatch('flow_regexp_extract', 'delivery_warehouse')(text, pattern)) }}
{%- endmacro %}

{% macro default__flow_regexp_extract(text, pattern) -%}
    regexp_substr({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro trino__flow_regexp_extract(text, pattern) -%}
    regexp_extract({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__flow_regexp_extract(text, pattern) -%}
    nullif(regexp_extract({{ text }}, {{ pattern }}, 0), '')
{%- endmacro %}

{% macro duckdb__flow_regexp_extract(text, pattern) -%}
    nullif(regexp_extract({{ text }}, {{ pattern }}), '')
{%- endmacro %}
