{#
    The time of a dlt load, from its `_dlt_load_id`: a string holding the unix epoch seconds at which the
    load started (e.g. '1732741200.123456'). Returns a UTC timestamp truncated to the second, built with
    dbt's cross-database `dateadd` so it is not tied to one warehouse.
    Used for `_loaded_at` in staging and for source freshness (see the `_<tool>__sources.yml` files).
#}
{% macro dlt_load_time(load_id_column) -%}
    {#- The whole seconds are the part before the dot; a float cast would lose precision. -#}
    {{ dbt.dateadd(
        'second',
        'cast(' ~ dbt.split_part(load_id_column, "'.'", 1) ~ ' as ' ~ dbt.type_bigint() ~ ')',
        "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")"
    ) }}
{%- endmacro %}

{#
    The loaded-at query of a raw table for `dbt source freshness`: the time of the newest load that
    delivered any of its rows. Rendered at run time, where `this` is the source table.
#}
{% macro dlt_freshness_query(relation) -%}
    select max({{ dlt_load_time('_dlt_load_id') }}) from {{ relation }}
{%- endmacro %}

{#
    lineage_columns: the columns every staging model ends with, so an auditor can trace any row to its
    export file, its position there, and the load (and load time) that brought it.
#}
{% macro lineage_columns() -%}
        _source_file,
        _record_index,
        _dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as _loaded_at
{%- endmacro %}
