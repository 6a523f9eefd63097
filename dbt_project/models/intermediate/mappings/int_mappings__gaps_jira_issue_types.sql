-- Jira issue types missing from issue_type_flow_items.
with

jira_issue_types as (

    select * from {{ ref('int_mappings__jira_issue_types') }}

),

unmapped_issue_types as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'issue_type_flow_item'",
            'mapping_file': "'issue_type_flow_items'",
            'unmapped_value': 'issue_type',
            'unmapped_value_detail': "'hierarchyLevel '
                || coalesce(cast(issue_type_hierarchy_level as " ~ dbt.type_string() ~ "), 'unknown')",
            'fallback_used': "'none: flow item unknown'",
            'source_tool': "'jira'",
            'record_model': "'stg_jira__issues'",
            'record_id': 'example_issue_id',
            'record_count': 'issue_count',
        }) }}
    from jira_issue_types
    where mapping_source = 'unmapped'

)

{{ mapping_gaps_per_value('unmapped_issue_types') }}
