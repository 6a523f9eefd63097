{#
    The models int_mappings__gaps unions, one per kind of mapping (int_mappings__gaps_<kind>), each list the
    records of their kind that no mapping covers (`mapping_gap_record`), then count them per value
    (`mapping_gaps_per_value`). The columns are named once, here, so a kind gives only what it knows.
#}

{#
    The columns of a gap record, in order: what to add to which mapping file, what helps recognise the
    value, the key columns of the mapping file, and the record (or group of records) carrying the value.
#}
{% macro mapping_gap_record_columns() -%}
    {{ return([
        'mapping_kind', 'mapping_file', 'unmapped_value', 'unmapped_value_detail', 'fallback_used',
        'source_tool', 'display_name', 'organization', 'project_key', 'component', 'area_path', 'status_id',
        'jira_status_category', 'record_model', 'record_model_priority', 'record_id', 'record_count',
    ]) }}
{%- endmacro %}

{#
    mapping_gap_record: the select list of one gap record from `columns`, a dict of column name to SQL
    expression; a column not given is null (text), except record_model_priority and record_count (1: one
    record, of the only model).
#}
{% macro mapping_gap_record(columns) -%}
    {%- set known = mapping_gap_record_columns() %}
    {%- for name in columns if name not in known %}
        {{ exceptions.raise_compiler_error('mapping_gap_record: unknown column ' ~ name ~ '; known: ' ~ known | join(', ')) }}
    {%- endfor %}
    {%- set defaults = {'record_model_priority': '1', 'record_count': '1'} %}
    {%- for name in known %}
        {{ columns.get(name, defaults.get(name, 'cast(null as ' ~ dbt.type_string() ~ ')')) }} as {{ name }}
        {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#
    mapping_gaps_per_value: one row per value of the gap records in the relation `records` (columns of
    mapping_gap_record_columns), with the number of records it affects and one of them as the example: the
    first by record_model_priority, then record id. Details can differ between records (a renamed
    service): the greatest is shown, the same on every run.
#}
{% macro mapping_gaps_per_value(records) -%}
    select
        mapping_kind,
        unmapped_value,
        value_detail as unmapped_value_detail,
        fallback_used,
        cast(records_affected as {{ dbt.type_bigint() }}) as records_affected,
        record_model as example_record_model,
        record_id as example_record_id,
        mapping_file,
        source_tool,
        value_display_name as display_name,
        organization,
        project_key,
        component,
        area_path,
        status_id,
        jira_status_category
    from (
        select
            *,
            sum(record_count) over (partition by mapping_kind, unmapped_value) as records_affected,
            row_number() over (
                partition by mapping_kind, unmapped_value
                order by record_model_priority, record_id
            ) as example_rank,
            max(unmapped_value_detail) over (partition by mapping_kind, unmapped_value) as value_detail,
            max(display_name) over (partition by mapping_kind, unmapped_value) as value_display_name
        from {{ records }}
    ) as ranked_records
    where example_rank = 1
{%- endmacro %}
