{#
    The team and value stream of whatever no mapping seed names: a work item, repository, service or
    incident that no seed maps counts under them in every mart (and is listed in int_mappings__gaps), so
    that nothing unmapped is dropped from an organisation's totals.
#}
{% macro unmapped_team() -%}
    'unmapped'
{%- endmacro %}

{% macro unmapped_value_stream() -%}
    'unmapped'
{%- endmacro %}

{# A team (or value stream) column with the unmapped fallback. #}
{% macro team_or_unmapped(column) -%}
    coalesce({{ column }}, {{ unmapped_team() }})
{%- endmacro %}

{% macro value_stream_or_unmapped(column) -%}
    coalesce({{ column }}, {{ unmapped_value_stream() }})
{%- endmacro %}
