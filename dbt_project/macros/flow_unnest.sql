{#
    Set-returning expressions for the select list: one output row per element. Warehouses spell them
    differently; two in the same select list are zipped element by element (DuckDB, PostgreSQL 10+).
#}

{#
    flow_unnest_json_strings: one row per element of a JSON array of strings held as text (e.g. an issue's
    components_json '["Web", "API"]'), as two columns: the element (`value_alias`) and its position from 1
    (`position_alias`). An empty or null array gives no row.
#}
{% macro flow_unnest_json_strings(column, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('flow_unnest_json_strings', 'delivery_warehouse')(column, value_alias, position_alias)) }}
{%- endmacro %}

{% macro default__flow_unnest_json_strings(column, value_alias, position_alias) -%}
    json_array_elements_text(cast({{ column }} as json)) as {{ value_alias }},
    generate_series(1, json_array_length(cast({{ column }} as json))) as {{ position_alias }}
{%- endmacro %}

{% macro duckdb__flow_unnest_json_strings(column, value_alias, position_alias) -%}
    unnest(json_extract_string({{ column }}, '$[*]')) as {{ value_alias }},
    unnest(range(1, len(json_extract_string({{ column }}, '$[*]')) + 1)) as {{ position_alias }}
{%- endmacro %}

{#- Spark: one generator per select list, so inline() of (element, position from 1) structs gives both
    columns, named by the struct's fields. -#}
{% macro spark__flow_unnest_json_strings(column, value_alias, position_alias) -%}
    inline(transform(
        from_json({{ column }}, 'array<string>'),
        (element, position) -> named_struct('{{ value_alias }}', element, '{{ position_alias }}', position + 1)
    ))
{%- endmacro %}

{#
    flow_unnest_regexp_matches: one row per match of the regular expression `pattern` (a SQL string
    expression) in `text` (the whole match); no row when nothing matches.
#}
{% macro flow_unnest_regexp_matches(text, pattern) -%}
    {{ return(adapter.dispatch('flow_unnest_regexp_matches', 'delivery_warehouse')(text, pattern)) }}
{%- endmacro %}

{% macro default__flow_unnest_regexp_matches(text, pattern) -%}
    (regexp_matches({{ text }}, {{ pattern }}, 'g'))[1]
{%- endmacro %}

{% macro duckdb__flow_unnest_regexp_matches(text, pattern) -%}
    unnest(regexp_extract_all({{ text }}, {{ pattern }}))
{%- endmacro %}

{% macro spark__flow_unnest_regexp_matches(text, pattern) -%}
    explode(regexp_extract_all({{ text }}, {{ pattern }}, 0))
{%- endmacro %}
