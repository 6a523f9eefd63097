{#
    The quarantine tables of every tool as one. The loaders create every raw table, quarantine included, on their
    first load, so each exists even when nothing was ever rejected.

    The raw excerpt of a rejected file or record is not read here: this model is published to the serving file,
    and a file that is not an export may hold anything (a `.env` with a token). The excerpts stay in the raw
    `quarantine` tables of the working warehouse, which are never published; `record_excerpt` stays a column,
    always null, so readers of the published model keep their columns.
#}
{%- set quarantine_columns = [
    'source_file', 'entity', 'record_index', 'record_key', 'reason', 'file_modified_at', '_dlt_load_id',
] -%}
{%- set tools = ['jira', 'github', 'pagerduty', 'gitlab', 'jenkins', 'opsgenie', 'azure_devops'] -%}

with

{% for tool in tools %}
{{ tool }}_quarantine as (

    select
        '{{ tool }}' as source_tool,
        {{ quarantine_columns | join(',\n        ') }}
    from {{ source('raw_' ~ tool, 'quarantine') }}

),
{% endfor %}

source as (

    {% set unioned -%}
    (
        {%- for tool in tools %}
        select * from {{ tool }}_quarantine
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )
    {%- endset %}
    {{ newest_version(unioned, partition_by=['source_tool', 'source_file', 'record_index', 'reason'], order_by=['file_modified_at']) }}

),

renamed as (

    select
        {{ surrogate_key(['source_tool', 'source_file', 'record_index', 'reason']) }} as quarantine_record_id,
        cast(source_tool as {{ dbt.type_string() }}) as source_tool,
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(record_index as {{ dbt.type_bigint() }}) as record_index,
        record_index = -1 as is_whole_file,
        cast(record_key as {{ dbt.type_string() }}) as record_key,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(null as {{ dbt.type_string() }}) as record_excerpt,
        {{ to_utc_timestamp('file_modified_at') }} as file_modified_at,

        -- The rejected record's own file and position are its lineage.
        cast(source_file as {{ dbt.type_string() }}) as _source_file,
        cast(record_index as {{ dbt.type_bigint() }}) as _record_index,
        _dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as _loaded_at

    from source

)

select * from renamed
