{#
    Status, assignee and issue type changes of every planning tool's work items, in the shape of Jira's
    changelog items: Jira changelog items (issue resolved by id or key) and Azure Boards updates of
    `System.State`, `System.AssignedTo` and `System.WorkItemType`. Status history, assignee periods and type
    periods are all replayed from here, so a new tool joins with one more union below.
#}
with

jira_changes as (

    select
        issue_id,
        created_at,
        history_id,
        item_index,
        lower(field) as field,
        from_string,
        from_value,
        to_string,
        to_value,
        author_account_id
    from {{ ref('int_flow__jira_changelog_items_resolved') }}

),

azure_devops_updates as (

    select * from {{ ref('stg_azure_devops__work_item_updates') }}
    where field_key in ('state', 'assigned_to', 'work_item_type')

),

azure_devops_changes as (

    select
        {{ azure_devops_work_item_id('organization', 'work_item_id') }} as issue_id,
        changed_at as created_at,
        cast(update_id as {{ dbt.type_string() }}) as history_id,
        cast(
            case field_key when 'state' then 0 when 'assigned_to' then 1 else 2 end as {{ dbt.type_bigint() }}
        ) as item_index,
        case field_key
            when 'state' then 'status'
            when 'assigned_to' then 'assignee'
            else 'issuetype'
        end as field,
        coalesce(old_display_name, old_value) as from_string,
        -- Only assignees have ids (the identity's, as the work item's assignee is kept); states are names.
        case when field_key = 'assigned_to' then old_identity_id end as from_value,
        coalesce(new_display_name, new_value) as to_string,
        case when field_key = 'assigned_to' then new_identity_id end as to_value,
        revised_by_id as author_account_id
    from azure_devops_updates

),

changes as (

    select * from jira_changes
    union all
    select * from azure_devops_changes

)

select * from changes
