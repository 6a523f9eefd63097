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

{#- Spark's JSON path takes a quoted key in brackets: $['key']. char(39) is the quote. -#}
{% macro spark__dora_json_text_field(json_text, key) -%}
    get_json_object({{ json_text }}, concat('$[', char(39), {{ key }}, char(39), ']'))
{%- endmacro %}

{# opsgenie_first_team_responder: the id of the first responder whose type is `team`, from the parallel JSON
   arrays of responder types and ids (`["user", "team"]`, `["u-1", "t-9"]`); null when no responder is a
   team. The default reads only the first responder. #}
{% macro opsgenie_first_team_responder(types_json, ids_json) -%}
    {{ return(adapter.dispatch('opsgenie_first_team_responder', 'delivery_warehouse')(types_json, ids_json)) }}
{%- endmacro %}

{% macro default__opsgenie_first_team_responder(types_json, ids_json) -%}
    case
        when {{ regexp_extract_first(types_json, "'^\\[[[:space:]]*\"([^\"]*)\"'", 1) }} = 'team'
            then {{ regexp_extract_first(ids_json, "'^\\[[[:space:]]*\"([^\"]*)\"'", 1) }}
    end
{%- endmacro %}

{% macro duckdb__opsgenie_first_team_responder(types_json, ids_json) -%}
    json_extract_string(
        {{ ids_json }},
        '$[' || cast(
            list_position(cast(json_extract_string({{ types_json }}, '$[*]') as varchar[]), 'team') - 1
            as varchar
        ) || ']'
    )
{%- endmacro %}

{#- array_position is 1-based, 0 when absent (element_at rejects 0). -#}
{% macro spark__opsgenie_first_team_responder(types_json, ids_json) -%}
    case
        when array_position(from_json({{ types_json }}, 'array<string>'), 'team') > 0
            then element_at(
                from_json({{ ids_json }}, 'array<string>'),
                cast(array_position(from_json({{ types_json }}, 'array<string>'), 'team') as int)
            )
    end
{%- endmacro %}
