-- Jira status names status_phases does not map: those falling back on their status category, and those
-- whose category is unknown.
with

jira_statuses as (

    select * from {{ ref('int_mappings__jira_statuses') }}

),

unmapped_statuses as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'status_phase'",
            'mapping_file': "'status_phases'",
            'unmapped_value': 'status_name',
            'unmapped_value_detail': "case when status_id is not null then 'status id ' || status_id end",
            'fallback_used': "case
                when mapping_source = 'status_category_fallbacks'
                    then 'statusCategory.key ' || status_category_key
                        || ' -> delivery_phase ' || delivery_phase
                        || ', flow_state ' || flow_state
                        || case
                            when status_category_found_by = 'status_id'
                                then ' (category of status id ' || status_id || ')'
                            when status_category_count > 1
                                then ' (most common of '
                                    || cast(status_category_count as " ~ dbt.type_string() ~ ")
                                    || ' categories seen)'
                            else ''
                        end
                else 'none: no statusCategory known for this name'
            end",
            'source_tool': "'jira'",
            'status_id': 'status_id',
            'jira_status_category': 'status_category_key',
            'record_model': 'example_record_model',
            'record_id': 'example_record_id',
            'record_count': 'occurrence_count',
        }) }}
    from jira_statuses
    where mapping_source != 'status_phases'

)

{{ mapping_gaps_per_value('unmapped_statuses') }}
