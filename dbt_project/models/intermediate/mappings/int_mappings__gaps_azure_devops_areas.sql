-- Azure Boards items outside every mapped area path (azure_devops_area_teams): they belong to a team only
-- through their assignee.
with

azure_devops_work_items as (

    select * from {{ ref('int_flow__work_items') }}
    where source_tool = 'azure_devops'

),

stg_work_items as (

    select * from {{ ref('stg_azure_devops__work_items') }}

),

unmapped_area_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'azure_devops_area_team'",
            'mapping_file': "'azure_devops_area_teams'",
            'unmapped_value': dbt.concat(["azure_devops_work_items.project_key", "' '", "stg_work_items.area_path"]),
            'unmapped_value_detail': 'stg_work_items.organization',
            'source_tool': "'azure_devops'",
            'organization': 'stg_work_items.organization',
            'project_key': 'stg_work_items.project',
            'area_path': 'stg_work_items.area_path',
            'record_model': "'int_flow__work_items'",
            'record_id': 'azure_devops_work_items.issue_id',
        }) }}
    from azure_devops_work_items
    inner join stg_work_items
        on azure_devops_work_items.issue_id
            = {{ azure_devops_work_item_id('stg_work_items.organization', 'stg_work_items.work_item_id') }}
    where azure_devops_work_items.owning_team is null

)

{{ mapping_gaps_per_value('unmapped_area_records') }}
