{#
    Which issue type (work item type) each work item had over time. Like statuses and assignees, the type an item was
    created with is not in the changelog: it is the first type change's from-side, or the current type of
    an item never re-typed.
#}
with

issues as (

    select * from {{ ref('int_flow__work_items') }}

),

changelog_items as (

    select * from {{ ref('int_flow__work_item_changes') }}

),

type_changes as (

    select
        issue_id,
        created_at as changed_at,
        history_id,
        item_index,
        from_string,
        to_string
    from changelog_items
    where lower(field) = 'issuetype'

),

ordered_type_changes as (

    select
        *,
        row_number() over (partition by issue_id order by changed_at, history_id, item_index) as change_index,
        lead(changed_at) over (partition by issue_id order by changed_at, history_id, item_index) as next_changed_at
    from type_changes

),

type_periods as (

    select
        issues.issue_id,
        coalesce(first_changes.from_string, issues.issue_type) as issue_type,
        cast(null as {{ dbt.type_timestamp() }}) as held_from,
        first_changes.changed_at as held_to
    from issues
    left join ordered_type_changes as first_changes
        on issues.issue_id = first_changes.issue_id
        and first_changes.change_index = 1

    union all

    select
        issue_id,
        to_string as issue_type,
        changed_at as held_from,
        next_changed_at as held_to
    from ordered_type_changes

)

select * from type_periods
