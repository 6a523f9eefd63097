{#
    Who held each work item (Jira, Azure Boards) over time, and so which team held it (the holding team,
    which drives handoffs; the item still belongs to its owning team, see int_flow__work_items). Like statuses, the first
    assignee is not in the changelog: it is the first assignee change's from-side, or the current assignee
    of an item never reassigned.
#}
with

issues as (

    select * from {{ ref('int_flow__work_items') }}

),

changelog_items as (

    select * from {{ ref('int_flow__work_item_changes') }}

),

people_teams as (

    select * from {{ ref('flow_people_teams') }}

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
        -- The holding team: the assignee's team; unassigned items and people without a team are held by
        -- the item's owning team (its first owned component's, else its project's or area path's team),
        -- else by the unmapped team.
        {{ team_or_unmapped('coalesce(people_teams.team, issues.owning_team)') }} as team,
        case
            when people_teams.team is not null then 'assignee'
            when issues.owning_team is not null then issues.owning_team_source
            else 'unmapped'
        end as team_source,
        assignee_periods.held_from,
        assignee_periods.held_to
    from assignee_periods
    inner join issues
        on assignee_periods.issue_id = issues.issue_id
    left join people_teams
        on assignee_periods.assignee_account_id = people_teams.account_id

)

select * from final
