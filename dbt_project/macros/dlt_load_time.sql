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

{#
    fact_lineage_columns: the columns every fact row ends with, so an auditor can go from the row to the raw
    record and the load that brought it: the tool, the record's id there, the export file, the record's
    position in that file, and the dlt load. `alias` is the relation carrying the file, index and load; it
    carries `source_tool` and `source_record_id` too unless they are given as SQL expressions.
#}
{% macro fact_lineage_columns(alias, source_tool=none, source_record_id=none) -%}
    cast({{ source_tool or alias ~ '.source_tool' }} as {{ dbt.type_string() }}) as source_tool,
    cast({{ source_record_id or alias ~ '.source_record_id' }} as {{ dbt.type_string() }}) as source_record_id,
    cast({{ alias }}._source_file as {{ dbt.type_string() }}) as _source_file,
    cast({{ alias }}._record_index as {{ dbt.type_bigint() }}) as _record_index,
    cast({{ alias }}._dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id
{%- endmacro %}

{#
    work_item_records: the lineage of each work item's current version (a Jira issue, an Azure Boards work
    item), as a subquery to join facts built from an item's history (work items, phases, handoffs,
    deliveries) back to the record.
#}
{% macro work_item_records() -%}
    (
        select
            issue_id as record_issue_id, source_tool, source_record_id, _source_file, _record_index, _dlt_load_id
        from {{ ref('int_flow__work_items') }}
    )
{%- endmacro %}
