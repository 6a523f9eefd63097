{#
    flow_as_of_at: the instant open intervals run to. The `flow_as_of_at` var when set (a UTC timestamp
    literal such as '2026-07-01 00:00:00'), else the newest work item update in the data, so that a rebuild of
    the same exports gives the same numbers.
#}
{% macro flow_as_of_at() -%}
    {%- if var('flow_as_of_at', none) -%}
        cast('{{ var("flow_as_of_at") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        (select max(updated_at) from {{ ref('int_flow__work_items') }})
    {%- endif -%}
{%- endmacro %}
