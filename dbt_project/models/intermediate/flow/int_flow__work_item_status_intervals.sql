{#
    Status history of every work item (Jira, Azure Boards) as intervals: the status an item was in, from
    when until when. Jira's changelog does not record the status an item was created in: it is read from
    the first status change's from-side, and an item without status changes has sat in its current status
    since creation (Azure Boards records the creation as a first update, which opens the history instead).
    Statuses are mapped by name per tool, so a renamed status keeps its phase as long as both names are
    mapped.
#}
with

issues as (

    select * from {{ ref('int_flow__work_items') }}

),

changelog_items as (

    select * from {{ ref('int_flow__work_item_changes') }}

),

assignee_periods as (

    select * from {{ ref('int_flow__work_item_assignee_intervals') }}

),

-- Each tool's status names map through its own seeds.
statuses as (

    select 'jira' as source_tool, status_name, delivery_phase, flow_state
    from {{ ref('int_mappings__jira_statuses') }}

    union all

    select 'azure_devops' as source_tool, state_name, delivery_phase, flow_state
    from {{ ref('int_mappings__azure_devops_states') }}

),

as_of as (

    select {{ flow_as_of_at() }} as as_of_at

),

status_changes as (

    select
        changelog_items.issue_id,
        changelog_items.created_at as changed_at,
        changelog_items.history_id,
        changelog_items.item_index,
        changelog_items.from_string,
        changelog_items.from_value,
        changelog_items.to_string,
        changelog_items.to_value,
        changelog_items.author_account_id
    from changelog_items
    where lower(changelog_items.field) = 'status'

),

ordered_changes as (

    select
        *,
        row_number() over (
            partition by issue_id
            order by changed_at, history_id, item_index
        ) as change_index
    from status_changes

),

-- Interval 0: from creation to the first change (or to now when the item never moved).
initial_intervals as (

    select
        issues.issue_id,
        0 as interval_index,
        coalesce(first_changes.from_string, issues.status_name) as status_name,
        coalesce(first_changes.from_value, issues.status_id) as status_id,
        issues.created_at as valid_from,
        case when first_changes.issue_id is null then 'current_status' else 'first_change' end as status_source,
        cast(null as {{ dbt.type_string() }}) as changed_by_account_id
    from issues
    left join ordered_changes as first_changes
        on issues.issue_id = first_changes.issue_id
        and first_changes.change_index = 1
    -- A changelog that starts before creation (imported items) opens with its first change instead.
    where first_changes.issue_id is null or first_changes.changed_at > issues.created_at

),

change_intervals as (

    select
        issue_id,
        cast(change_index as {{ dbt.type_bigint() }}) as interval_index,
        to_string as status_name,
        to_value as status_id,
        changed_at as valid_from,
        'changelog' as status_source,
        author_account_id as changed_by_account_id
    from ordered_changes

),

intervals as (

    select * from initial_intervals
    union all
    select * from change_intervals

),

bounded_intervals as (

    select
        *,
        lead(valid_from) over (partition by issue_id order by interval_index) as valid_to
    from intervals

),

-- The assignee when the interval began; a reassignment in the same instant as the move counts.
intervals_with_assignee as (

    select
        bounded_intervals.*,
        assignee_periods.assignee_account_id,
        assignee_periods.team,
        assignee_periods.team_source
    from bounded_intervals
    left join assignee_periods
        on bounded_intervals.issue_id = assignee_periods.issue_id
        and (assignee_periods.held_from is null or assignee_periods.held_from <= bounded_intervals.valid_from)
        and (assignee_periods.held_to is null or assignee_periods.held_to > bounded_intervals.valid_from)

),

-- The last interval in neither done nor canceled: every closed interval after it is the item resting.
last_open_intervals as (

    select
        intervals_with_assignee.issue_id,
        max(
            case
                when statuses.flow_state is null or statuses.flow_state not in ('done', 'canceled')
                    then intervals_with_assignee.interval_index
            end
        ) as last_open_index
    from intervals_with_assignee
    inner join issues
        on intervals_with_assignee.issue_id = issues.issue_id
    left join statuses
        on issues.source_tool = statuses.source_tool
        and lower(trim(intervals_with_assignee.status_name)) = lower(trim(statuses.status_name))
    group by intervals_with_assignee.issue_id

),

final as (

    select
        {{ surrogate_key(['intervals_with_assignee.issue_id', 'intervals_with_assignee.interval_index']) }}
            as status_interval_id,
        intervals_with_assignee.issue_id,
        issues.issue_key,
        issues.project_key,
        cast(intervals_with_assignee.interval_index as {{ dbt.type_bigint() }}) as interval_index,
        intervals_with_assignee.status_name,
        intervals_with_assignee.status_id,
        statuses.delivery_phase,
        statuses.flow_state,
        intervals_with_assignee.status_source,
        intervals_with_assignee.changed_by_account_id,
        intervals_with_assignee.assignee_account_id,
        intervals_with_assignee.team,
        intervals_with_assignee.team_source,
        intervals_with_assignee.valid_from,
        intervals_with_assignee.valid_to,
        intervals_with_assignee.valid_to is null as is_current,
        -- Open intervals run to the data's as-of time. An item resting in done or canceled (its final
        -- stretch of closed statuses, e.g. Resolved then Closed) is not measured; closed time before a
        -- reopen is.
        case
            when statuses.flow_state in ('done', 'canceled')
                and intervals_with_assignee.interval_index > coalesce(last_open_intervals.last_open_index, -1)
                then null
            when intervals_with_assignee.valid_to is not null
                then {{ hours_between('intervals_with_assignee.valid_from', 'intervals_with_assignee.valid_to') }}
            when as_of.as_of_at > intervals_with_assignee.valid_from
                then {{ hours_between('intervals_with_assignee.valid_from', 'as_of.as_of_at') }}
            else 0
        end as duration_hours
    from intervals_with_assignee
    inner join issues
        on intervals_with_assignee.issue_id = issues.issue_id
    inner join last_open_intervals
        on intervals_with_assignee.issue_id = last_open_intervals.issue_id
    cross join as_of
    left join statuses
        on issues.source_tool = statuses.source_tool
        and lower(trim(intervals_with_assignee.status_name)) = lower(trim(statuses.status_name))

)

select * from final
