-- Azure Boards states missing from azure_devops_state_phases; states have no category to fall back on.
with

azure_devops_states as (

    select * from {{ ref('int_mappings__azure_devops_states') }}

),

unmapped_states as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'azure_devops_state_phase'",
            'mapping_file': "'azure_devops_state_phases'",
            'unmapped_value': 'state_name',
            'fallback_used': "'none: Azure Boards states have no category to fall back on'",
            'source_tool': "'azure_devops'",
            'record_model': 'example_record_model',
            'record_id': 'example_record_id',
            'record_count': 'occurrence_count',
        }) }}
    from azure_devops_states
    where mapping_source = 'unmapped'

)

{{ mapping_gaps_per_value('unmapped_states') }}
