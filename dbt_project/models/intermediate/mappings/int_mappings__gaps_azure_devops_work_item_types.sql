-- Azure Boards work item types missing from issue_type_flow_items, with their work items.
with

azure_devops_work_items as (

    select * from {{ ref('int_flow__work_items') }}
    where source_tool = 'azure_devops'

),

issue_type_flow_items as (

    select * from {{ ref('issue_type_flow_items') }}

),

unmapped_work_item_type_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'work_item_type_flow_item'",
            'mapping_file': "'issue_type_flow_items'",
            'unmapped_value': 'azure_devops_work_items.issue_type',
            'unmapped_value_detail': "'Azure Boards work item type'",
            'fallback_used': "'none: flow item unknown'",
            'source_tool': "'azure_devops'",
            'record_model': "'int_flow__work_items'",
            'record_id': 'azure_devops_work_items.issue_id',
        }) }}
    from azure_devops_work_items
    left join issue_type_flow_items
        on lower(trim(azure_devops_work_items.issue_type)) = lower(trim(issue_type_flow_items.issue_type))
    where issue_type_flow_items.issue_type is null

)

{{ mapping_gaps_per_value('unmapped_work_item_type_records') }}
