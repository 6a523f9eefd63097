{#
    The few expressions of the DORA models that differ between warehouses. Each is dispatched: the
    `default__` version is ANSI-style SQL, the `duckdb__` version is what DuckDB needs.
#}

{# dora_regexp_matches: true when `value` matches the regular expression `pattern`, ignoring case. #}
{% macro dora_regexp_matches(value, pattern) -%}
    {{ return(adapter.dispatch('dora_regexp_matches', 'delivery_warehouse')(value, pattern)) }}
{%- endmacro %}

{% macro default__dora_regexp_matches(value, pattern) -%}
    regexp_like(lower({{ value }}), lower({{ pattern }}))
{%- endmacro %}

{% macro duckdb__dora_regexp_matches(value, pattern) -%}
    regexp_matches({{ value }}, {{ pattern }}, 'i')
{%- endmacro %}

{#- Java regular expressions: (?i) ignores case without lower-casing the pattern's escapes. -#}
{% macro spark__dora_regexp_matches(value, pattern) -%}
    rlike({{ value }}, concat('(?i)', {{ pattern }}))
{%- endmacro %}

{# dora_hours_between: hours from `start` to `finish` as a double, negative when finish comes first. #}
{% macro dora_hours_between(start, finish) -%}
    cast({{ dbt.datediff(start, finish, 'second') }} as {{ type_double() }}) / 3600.0
{%- endmacro %}

{# dora_with_recursive: the keyword that opens a recursive common table expression. #}
{% macro dora_with_recursive() -%}
    {{ return(adapter.dispatch('dora_with_recursive', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__dora_with_recursive() -%}
    with recursive
{%- endmacro %}

{# dora_recursive_union: the set operator between a recursive common table expression's anchor and its step.
   The walks' results are grouped or made distinct after, so duplicates change no result; union drops them
   as it goes. Spark allows only union all in a recursive CTE (duplicates then ride along to the end). #}
{% macro dora_recursive_union() -%}
    {{ return(adapter.dispatch('dora_recursive_union', 'delivery_warehouse')()) }}
{%- endmacro %}

{% macro default__dora_recursive_union() -%}
    union
{%- endmacro %}

{% macro spark__dora_recursive_union() -%}
    union all
{%- endmacro %}


{# dora_no_value_named: the unmapped value int_mappings__gaps reports for a record whose fields that name its
   owner (a repository, an Opsgenie team) are all NULL or empty: the gap's example is the record itself. #}
{% macro dora_no_value_named() -%}
    (none)
{%- endmacro %}
