{#
    Text as a comparable value: trimmed, lower-cased, and null when empty. Used where a tool sends the same
    value in varying case or sends '' for "none" (e.g. GitHub workflow run conclusions).
#}
{% macro normalized_text(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
