{#
    Work items with their flow measures. Flow time runs from the first move into a waiting or active
    status until done (time in new does not count); an item that was reopened is done when it last closed.
    A closed item is classified as it was when it closed (Flow Framework: history is not rewritten): its
    issue type then, and the team holding it then. An open item has its type and team of now.
#}
with

issues as (

    select * from {{ ref('int_work_items') }}

),

issue_type_periods as (

    select * from {{ ref('int_work_item_issue_types') }}

),

issue_type_flow_items as (

    select * from {{ ref('issue_type_flow_items') }}

),

segments as (

    select * from {{ ref('int_work_item_flow_segments') }}

),

intervals as (

    select * from {{ ref('int_work_item_status_intervals') }}

),

linked_pull_requests as (

    select * from {{ ref('int_work_item_pull_requests_linked') }}

),

teams as (

    select * from {{ ref('teams') }}

),

interval_summaries as (

    select
        issue_id,
        min(case when flow_state in ('waiting', 'active') then valid_from end) as started_at,
        max(case when is_current and flow_state = 'done' then valid_from end) as done_at,
        max(case when is_current and flow_state = 'canceled' then valid_from end) as canceled_at,
        max(case when is_current then flow_state end) as current_flow_state,
        max(case when is_current then delivery_phase end) as current_phase,
        -- The team when the item entered its current status: for a closed item, the team at close.
        max(case when is_current then team end) as current_status_team,
        {{ sum_hours("case when flow_state = 'active' then duration_hours else 0 end") }} as active_hours
    from intervals
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

-- The team at close for a closed item, else the team holding it now.
classified_teams as (

    select
        closings.issue_id,
        case
            when closings.closed_at is not null then closings.current_status_team
            else coalesce(current_teams.team, closings.current_status_team)
        end as team
    from closings
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
        classified_teams.team,
        teams.value_stream,
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
                then {{ dbt.datediff('interval_summaries.started_at', 'interval_summaries.done_at', 'second') }} / 3600.0
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
    inner join classified_teams
        on issues.issue_id = classified_teams.issue_id
    left join classified_types
        on issues.issue_id = classified_types.issue_id
    left join teams
        on classified_teams.team = teams.team
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
