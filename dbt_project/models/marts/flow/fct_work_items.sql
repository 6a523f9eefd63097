{#
    Work items with their flow measures. Flow time runs from the first move into a waiting or active
    status until done (time in new does not count); an item that was reopened is done when it last closed.
#}
with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

issue_types as (

    select * from {{ ref('int_jira_issue_types_mapped') }}

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
        max(case when is_current then team end) as team,
        sum(case when flow_state = 'active' then duration_hours else 0 end) as active_hours
    from intervals
    group by issue_id

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
        issues.issue_type,
        issue_types.flow_item,
        interval_summaries.team,
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
    left join issue_types
        on lower(trim(issues.issue_type)) = lower(trim(issue_types.issue_type))
    left join teams
        on interval_summaries.team = teams.team
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
        last_merged_at
    from work_items

)

select * from final
