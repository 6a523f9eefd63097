{#
    Expressions of the DORA models over the GitLab, Azure DevOps, Jenkins and Opsgenie exports that differ
    between warehouses. Each is dispatched: the `default__` version is portable SQL, the `duckdb__` version
    is what DuckDB does better.
#}

{# dora_json_text_field: the value of the top-level key `key` (a SQL string expression) of the JSON object
   text `json_text`, as text (a string without its quotes, a number or boolean as written); null when the
   key is absent. The default reads it with a regular expression (flat objects of scalars, as Jenkins build
   parameters are). #}
{% macro dora_json_text_field(json_text, key) -%}
    {{ return(adapter.dispatch('dora_json_text_field', 'delivery_warehouse')(json_text, key)) }}
{%- endmacro %}

{% macro default__dora_json_text_field(json_text, key) -%}
    {{ regexp_extract_first(
        json_text,
        dbt.concat(["'\"'", key, "'\"[[:space:]]*:[[:space:]]*\"?([^\",}]*)'"]),
        1
    ) }}
{%- endmacro %}

{% macro duckdb__dora_json_text_field(json_text, key) -%}
    json_extract_string({{ json_text }}, {{ dbt.concat(["'$.\"'", key, "'\"'"]) }})
{%- endmacro %}
