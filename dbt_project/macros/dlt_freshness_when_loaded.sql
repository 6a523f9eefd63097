{#
    The loaded-at query of a raw table of an optional tool (Azure DevOps, GitLab, Jenkins, Opsgenie): like
    `dlt_freshness_query`, but a table no load has filled yet counts as fresh. An organisation that does not
    use the tool has its raw tables, empty, and nothing there can be stale; the Dagster freshness check
    treats a dataset without rows the same way. Once rows arrive, the newest load decides as usual.
#}
{% macro dlt_freshness_when_loaded(relation) -%}
    select coalesce(max({{ dlt_load_time('_dlt_load_id') }}), {{ to_utc_timestamp(dbt.current_timestamp()) }})
    from {{ relation }}
{%- endmacro %}
