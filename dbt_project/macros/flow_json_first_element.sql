{#
    flow_json_first_element: the first element of a JSON array of strings held as text (e.g. an issue's
    components_json '["Web", "API"]' gives 'Web'); null for an empty array or null. JSON functions differ
    by warehouse.
#}
{% macro flow_json_first_element(column) -%}
    {{ return(adapter.dispatch('flow_json_first_element', 'delivery_warehouse')(column)) }}
{%- endmacro %}

{% macro default__flow_json_first_element(column) -%}
    json_extract_scalar({{ column }}, '$[0]')
{%- endmacro %}

{% macro spark__flow_json_first_element(column) -%}
    get_json_object({{ column }}, '$[0]')
{%- endmacro %}

{% macro duckdb__flow_json_first_element(column) -%}
    json_extract_string({{ column }}, '$[0]')
{%- endmacro %}
