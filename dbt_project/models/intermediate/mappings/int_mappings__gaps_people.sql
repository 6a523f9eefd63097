-- Assignees missing from flow_people_teams, with the work items they held: meanwhile those items are held
-- by their owning team.
with

unheld_assignments as (

    select distinct issue_id, assignee_account_id
    from {{ ref('int_flow__work_item_assignee_intervals') }}
    where team_source != 'assignee' and assignee_account_id is not null

),

work_items as (

    select * from {{ ref('int_flow__work_items') }}

),

-- The name a person is shown with: as the current assignee of an item if ever, else in an assignee change.
person_name_candidates as (

    select assignee_account_id as account_id, assignee_display_name as display_name, 1 as name_priority
    from {{ ref('stg_jira__issues') }}
    where assignee_account_id is not null and assignee_display_name is not null

    union all

    select assigned_to_id, assigned_to_display_name, 1
    from {{ ref('stg_azure_devops__work_items') }}
    where assigned_to_id is not null and assigned_to_display_name is not null

    union all

    select from_value, from_string, 2
    from {{ ref('int_flow__work_item_changes') }}
    where field = 'assignee' and from_value is not null and from_string is not null

    union all

    select to_value, to_string, 2
    from {{ ref('int_flow__work_item_changes') }}
    where field = 'assignee' and to_value is not null and to_string is not null

),

person_names as (

    select account_id, min(display_name) as display_name
    from (
        select
            *,
            min(name_priority) over (partition by account_id) as best_priority
        from person_name_candidates
        -- only the unmapped few need a name
        where account_id in (select assignee_account_id from unheld_assignments)
    ) as candidates
    where name_priority = best_priority
    group by account_id

),

unmapped_person_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'person_team'",
            'mapping_file': "'flow_people_teams'",
            'unmapped_value': 'unheld_assignments.assignee_account_id',
            'unmapped_value_detail': 'person_names.display_name',
            'fallback_used': "'the owning team of each work item holds it meanwhile (else unmapped)'",
            'source_tool': 'work_items.source_tool',
            'display_name': 'person_names.display_name',
            'record_model': "'int_flow__work_items'",
            'record_id': 'unheld_assignments.issue_id',
        }) }}
    from unheld_assignments
    inner join work_items
        on unheld_assignments.issue_id = work_items.issue_id
    left join person_names
        on unheld_assignments.assignee_account_id = person_names.account_id

)

{{ mapping_gaps_per_value('unmapped_person_records') }}
