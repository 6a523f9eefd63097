{#
    Keep the newest version of each record of a raw table.

    Raw tables keep every version of a record that an export delivered (see docs/raw_tables.md); staging
    shows only the newest one. Rows are ranked within `partition_by` by `order_by` (the version column,
    newest first), then by `_dlt_load_id` (the later load wins), and the first row is kept. Written as a
    subquery with row_number() rather than QUALIFY, which not every warehouse supports.

    Returns a select statement over `relation` with all its columns plus `_version_rank`.
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
    ) as ranked_versions
    where _version_rank = 1
{%- endmacro %}
