{#
    Work items with their flow measures. done_at is the start of the final uninterrupted stretch of done
    statuses (moving between two done statuses does not change it). Flow time runs from the first move
    into a waiting or active status until done_at (time in new does not count); time spent done or
    canceled before a reopen is not part of it. Efficiency is active time over flow time.
    An item counts under its owning team (int_flow__work_items: its project's, first owned component's or area
    path's team; `unmapped` when no seed maps it). The holding team (the assignee's) is kept beside it:
    the team that held the item when it closed, or holds it now. A closed item is classified by its issue
    type at close (Flow Framework: history is not rewritten); an open item by its type now.
#}
with

issues as (

    select * from {{ ref('int_flow__work_items') }}

),

issue_type_periods as (

    select * from {{ ref('int_flow__work_item_issue_types') }}

),

issue_type_flow_items as (

    select * from {{ ref('issue_type_flow_items') }}

),

segments as (

    select * from {{ ref('int_flow__work_item_flow_segments') }}

),

intervals as (

    select * from {{ ref('int_flow__work_item_status_intervals') }}

),

linked_pull_requests as (

    select * from {{ ref('int_flow__work_item_pull_requests_linked') }}

),

teams as (

    select * from {{ ref('teams') }}

),

-- The final uninterrupted stretch of done (or canceled) statuses: every interval after the last one in
-- another flow state. Moving between two done statuses (Resolved -> Closed, a renamed status) stays in it.
final_stretches as (

    select
        issue_id,
        max(case when coalesce(flow_state, '') != 'done' then interval_index end) as last_not_done_index,
        max(case when coalesce(flow_state, '') != 'canceled' then interval_index end) as last_not_canceled_index
    from intervals
    group by issue_id

),

stretch_intervals as (

    select
        intervals.*,
        intervals.interval_index > coalesce(final_stretches.last_not_done_index, -1) as is_final_done,
        intervals.interval_index > coalesce(final_stretches.last_not_canceled_index, -1) as is_final_canceled,
        min(case when intervals.flow_state in ('waiting', 'active') then intervals.valid_from end)
            over (partition by intervals.issue_id) as first_started_at
    from intervals
    inner join final_stretches
        on intervals.issue_id = final_stretches.issue_id

),

-- The interval that opens the final done or canceled stretch: the item closed there.
closing_intervals as (

    select
        issue_id,
        team as closing_team,
        row_number() over (partition by issue_id order by interval_index) as closing_rank
    from stretch_intervals
    where is_final_done or is_final_canceled

),

interval_summaries as (

    select
        issue_id,
        min(first_started_at) as started_at,
        min(case when is_final_done then valid_from end) as done_at,
        min(case when is_final_canceled then valid_from end) as canceled_at,
        max(case when is_current then flow_state end) as current_flow_state,
        max(case when is_current then delivery_phase end) as current_phase,
        {{ sum_hours("case when flow_state = 'active' then duration_hours else 0 end") }} as active_hours,
        -- Time closed (done or canceled) after the start and before a reopen: not part of flow time.
        {{ sum_hours(
            "case when flow_state in ('done', 'canceled') and not is_final_done and not is_final_canceled"
            ~ " and valid_from >= first_started_at then duration_hours else 0 end"
        ) }} as closed_before_reopen_hours
    from stretch_intervals
    group by issue_id

),

-- The team holding the item now: the last flow segment (status intervals cut at reassignments).
current_teams as (

    select
        issue_id,
        max(team) as team
    from segments
    where segment_to is null
    group by issue_id

),

closings as (

    select
        interval_summaries.*,
        case
            when interval_summaries.current_flow_state in ('done', 'canceled')
                then coalesce(interval_summaries.done_at, interval_summaries.canceled_at)
        end as closed_at
    from interval_summaries

),

-- The holding team: the team that held the item when it closed, else the team holding it now.
holding_teams as (

    select
        closings.issue_id,
        case
            when closings.closed_at is not null then closing_intervals.closing_team
            else current_teams.team
        end as holding_team
    from closings
    left join closing_intervals
        on closings.issue_id = closing_intervals.issue_id
        and closing_intervals.closing_rank = 1
    left join current_teams
        on closings.issue_id = current_teams.issue_id

),

-- The issue type at close (the period holding the closing instant), else the current one.
classified_types as (

    select
        closings.issue_id,
        issue_type_periods.issue_type
    from closings
    inner join issue_type_periods
        on closings.issue_id = issue_type_periods.issue_id
        and (
            (
                closings.closed_at is not null
                and (issue_type_periods.held_from is null or issue_type_periods.held_from <= closings.closed_at)
                and (issue_type_periods.held_to is null or issue_type_periods.held_to > closings.closed_at)
            )
            or (closings.closed_at is null and issue_type_periods.held_to is null)
        )

),

pull_request_summaries as (

    select
        issue_id,
        count(*) as linked_pull_request_count,
        sum(case when pull_request_merged_at is not null then 1 else 0 end) as merged_pull_request_count,
        max(pull_request_merged_at) as last_merged_at
    from linked_pull_requests
    group by issue_id

),

work_items as (

    select
        issues.issue_id,
        issues.issue_key,
        issues.project_key,
        coalesce(classified_types.issue_type, issues.issue_type) as issue_type,
        issue_type_flow_items.flow_item,
        {{ team_or_unmapped('issues.owning_team') }} as team,
        {{ value_stream_or_unmapped('teams.value_stream') }} as value_stream,
        coalesce(issues.owning_team_source, 'unmapped') as team_source,
        {{ team_or_unmapped('holding_teams.holding_team') }} as holding_team,
        coalesce(issues.epic_key, issues.parent_key) as epic_key,
        issues.status_name as current_status,
        interval_summaries.current_phase,
        interval_summaries.current_flow_state,
        issues.created_at,
        interval_summaries.started_at,
        interval_summaries.done_at,
        interval_summaries.canceled_at,
        case
            when interval_summaries.done_at is not null and interval_summaries.started_at is not null
                then {{ hours_between('interval_summaries.started_at', 'interval_summaries.done_at') }}
                    - interval_summaries.closed_before_reopen_hours
        end as flow_time_hours,
        case
            when interval_summaries.done_at is not null
                then interval_summaries.active_hours
        end as active_hours,
        coalesce(pull_request_summaries.linked_pull_request_count, 0) as linked_pull_request_count,
        coalesce(pull_request_summaries.merged_pull_request_count, 0) as merged_pull_request_count,
        pull_request_summaries.last_merged_at
    from issues
    inner join interval_summaries
        on issues.issue_id = interval_summaries.issue_id
    inner join holding_teams
        on issues.issue_id = holding_teams.issue_id
    left join classified_types
        on issues.issue_id = classified_types.issue_id
    left join teams
        on issues.owning_team = teams.team
    left join issue_type_flow_items
        on lower(trim(coalesce(classified_types.issue_type, issues.issue_type))) = lower(trim(issue_type_flow_items.issue_type))
    left join pull_request_summaries
        on issues.issue_id = pull_request_summaries.issue_id

),

final as (

    select
        issue_id,
        issue_key,
        project_key,
        issue_type,
        flow_item,
        team,
        value_stream,
        team_source,
        holding_team,
        epic_key,
        current_status,
        current_phase,
        current_flow_state,
        created_at,
        started_at,
        done_at,
        canceled_at,
        cast(flow_time_hours as {{ type_double() }}) as flow_time_hours,
        cast(active_hours as {{ type_double() }}) as active_hours,
        cast(
            case
                -- Sub-second rounding can put active time a hair above flow time.
                when active_hours >= flow_time_hours and flow_time_hours > 0 then 1.0
                when flow_time_hours > 0 then active_hours / flow_time_hours
            end as {{ type_double() }}
        ) as flow_efficiency,
        cast(linked_pull_request_count as {{ dbt.type_int() }}) as linked_pull_request_count,
        cast(merged_pull_request_count as {{ dbt.type_int() }}) as merged_pull_request_count,
        last_merged_at,
        {{ fact_lineage_columns('issue_records') }}
    from work_items
    left join {{ work_item_records() }} as issue_records
        on work_items.issue_id = issue_records.record_issue_id

)

select * from final
