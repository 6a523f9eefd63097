{#
    Keep the newest version of each record of a raw table.

    Raw tables keep every version of a record that an export delivered (see docs/raw_tables.md); staging
    shows only the newest one. Rows are ranked within `partition_by` by `order_by` (the version column,
    newest first), then by `_dlt_load_id` (the later load wins), and the first row is kept. Written as a
    subquery with row_number() rather than QUALIFY, which not every warehouse supports.

    Returns a select statement over `relation` with all its columns plus `_version_rank`.

    In an incremental model's incremental run, only the records that loads newer than the model's newest
    `_dlt_load_id` delivered are ranked again, from all their versions (an older version delivered late
    must not replace a newer one). The model merges them on its unique key, so the work grows with the new
    loads, not with the history. Load ids are epoch seconds as text and compare in load order.
#}
{% macro newest_version(relation, partition_by, order_by=[]) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ partition_by | join(', ') }}
                order by
                    {%- for column in order_by %}
                    {{ column }} desc nulls last,
                    {%- endfor %}
                    _dlt_load_id desc
            ) as _version_rank
        from {{ relation }} as versioned_rows
        {#- unit tests render models without a relation of their own (`this` is none): a full ranking -#}
        {%- if this is not none and is_incremental() %}
        {{ newest_version_newly_loaded(relation, partition_by) }}
        {%- endif %}
    ) as ranked_versions
    where _version_rank = 1
{%- endmacro %}

{#- The filter of an incremental run: the records that loads newer than the model's newest delivered. -#}
{% macro newest_version_newly_loaded(relation, partition_by) -%}
    {{ return(adapter.dispatch('newest_version_newly_loaded', 'delivery_warehouse')(relation, partition_by)) }}
{%- endmacro %}

{% macro default__newest_version_newly_loaded(relation, partition_by) -%}
where {{ surrogate_key(partition_by) }} in (
            select {{ surrogate_key(partition_by) }}
            from {{ relation }} as newly_loaded
            where _dlt_load_id > (select coalesce(max(_dlt_load_id), '') from {{ this }})
        )
{%- endmacro %}

{#- Spark's Parquet tables have no merge: an incremental run overwrites the whole table (insert_overwrite,
    macros/spark_specific.sql), so it ranks every record again; the result is the same as a merge's. -#}
{% macro spark__newest_version_newly_loaded(relation, partition_by) -%}
{%- endmacro %}
