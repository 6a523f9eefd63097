{#
    Status intervals cut where the assignee changes: within a segment both the status and the team hold.
    A reassignment in the middle of a status is a team handoff even though the status did not change.
#}
with

intervals as (

    select * from {{ ref('int_flow__work_item_status_intervals') }}

),

assignee_periods as (

    select * from {{ ref('int_flow__work_item_assignee_intervals') }}

),

-- Overlap of a status interval [valid_from, valid_to) with an assignee period [held_from, held_to).
overlapping_periods as (

    select
        intervals.issue_id,
        intervals.issue_key,
        intervals.interval_index,
        intervals.delivery_phase,
        intervals.flow_state,
        assignee_periods.assignee_account_id,
        assignee_periods.team,
        case
            when assignee_periods.held_from > intervals.valid_from then assignee_periods.held_from
            else intervals.valid_from
        end as segment_from,
        case
            when intervals.valid_to is null then assignee_periods.held_to
            when assignee_periods.held_to is null then intervals.valid_to
            when assignee_periods.held_to < intervals.valid_to then assignee_periods.held_to
            else intervals.valid_to
        end as segment_to
    from intervals
    inner join assignee_periods
        on intervals.issue_id = assignee_periods.issue_id
        and (assignee_periods.held_from is null or intervals.valid_to is null or assignee_periods.held_from < intervals.valid_to)
        and (assignee_periods.held_to is null or assignee_periods.held_to > intervals.valid_from)

),

final as (

    select
        issue_id,
        issue_key,
        interval_index,
        row_number() over (partition by issue_id order by segment_from, interval_index) as segment_index,
        delivery_phase,
        flow_state,
        assignee_account_id,
        team,
        segment_from,
        segment_to
    from overlapping_periods
    -- A reassignment in the same instant as a move belongs to the new status only.
    where segment_to is null or segment_to > segment_from

)

select * from final
