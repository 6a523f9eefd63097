{#
    A stable surrogate key: the md5 hash of the given columns cast to text and joined with '-'. Nulls are
    replaced by a placeholder so that (a, null) and (null, a) hash differently from each other and from ''.
    Uses dbt's cross-database `hash`, `concat` and `type_string` macros.
#}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last -%}
            {%- do parts.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
