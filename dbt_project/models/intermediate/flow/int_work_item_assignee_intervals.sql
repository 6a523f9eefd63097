{#
    Who held each work item (Jira, Azure Boards) over time, and so which team it was with. Like statuses, the first
    assignee is not in the changelog: it is the first assignee change's from-side, or the current assignee
    of an item never reassigned.
#}
with

issues as (

    select * from {{ ref('int_work_items') }}

),

changelog_items as (

    select * from {{ ref('int_work_item_changes') }}

),

people_teams as (

    select * from {{ ref('flow_people_teams') }}

),

component_teams as (

    select * from {{ ref('jira_project_teams') }}
    where component is not null

),

issue_component_list as (

    select
        issue_id,
        project_key,
        {{ flow_unnest_json_strings('components_json', 'component', 'component_position') }}
    from issues

),

-- The component that decides ownership: the first of the item's components that a team owns.
owned_components as (

    select
        issue_component_list.issue_id,
        component_teams.team,
        row_number() over (
            partition by issue_component_list.issue_id
            order by issue_component_list.component_position
        ) as owner_rank
    from issue_component_list
    inner join component_teams
        on issue_component_list.project_key = component_teams.project_key
        and lower(issue_component_list.component) = lower(component_teams.component)

),

issue_components as (

    select
        issues.issue_id,
        issues.project_key,
        issues.owning_team,
        issues.owning_team_source,
        owned_components.team as component_team
    from issues
    left join owned_components
        on issues.issue_id = owned_components.issue_id
        and owned_components.owner_rank = 1

),

assignee_changes as (

    select
        changelog_items.issue_id,
        changelog_items.created_at as changed_at,
        changelog_items.history_id,
        changelog_items.item_index,
        changelog_items.from_value,
        changelog_items.to_value
    from changelog_items
    where lower(changelog_items.field) = 'assignee'

),

ordered_assignee_changes as (

    select
        *,
        row_number() over (partition by issue_id order by changed_at, history_id, item_index) as change_index,
        lead(changed_at) over (partition by issue_id order by changed_at, history_id, item_index) as next_changed_at
    from assignee_changes

),

assignee_periods as (

    select
        issues.issue_id,
        coalesce(first_changes.from_value, case when first_changes.issue_id is null then issues.assignee_account_id end)
            as assignee_account_id,
        cast(null as {{ dbt.type_timestamp() }}) as held_from,
        first_changes.changed_at as held_to
    from issues
    left join ordered_assignee_changes as first_changes
        on issues.issue_id = first_changes.issue_id
        and first_changes.change_index = 1

    union all

    select
        issue_id,
        to_value as assignee_account_id,
        changed_at as held_from,
        next_changed_at as held_to
    from ordered_assignee_changes

),

final as (

    select
        assignee_periods.issue_id,
        assignee_periods.assignee_account_id,
        -- The assignee's team; unassigned items and people without a team belong to the team owning the
        -- first owned of the item's components, else the team owning the item's project or area path.
        coalesce(people_teams.team, issue_components.component_team, issue_components.owning_team) as team,
        case
            when people_teams.team is not null then 'assignee'
            when issue_components.component_team is not null then 'component'
            else issue_components.owning_team_source
        end as team_source,
        assignee_periods.held_from,
        assignee_periods.held_to
    from assignee_periods
    inner join issue_components
        on assignee_periods.issue_id = issue_components.issue_id
    left join people_teams
        on assignee_periods.assignee_account_id = people_teams.account_id

)

select * from final
