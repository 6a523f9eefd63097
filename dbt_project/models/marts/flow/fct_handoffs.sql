{#
    Handoffs: a work item moving to another delivery phase or to another team. Consecutive flow segments
    (status intervals cut at reassignments) with the same phase and team form one stay; each stay after the
    first begins with a handoff. Reassigning a closed item (in done or canceled) hands no work over: it
    stays with the team that closed it until it is reopened. The teams handing over and receiving are
    holding teams (the assignee's team, else the item's owning team, else `unmapped`); the item itself
    counts under its owning team (`team`, as in fct_work_items).
#}
with

intervals as (

    select * from {{ ref('int_flow__work_item_flow_segments') }}

),

phase_order as (

    select * from {{ ref('flow_phase_order') }}

),

decision_gates as (

    select * from {{ ref('flow_decision_gates') }}

),

linked_pull_requests as (

    select * from {{ ref('int_flow__work_item_pull_requests_linked') }}

),

work_item_teams as (

    select issue_id, team, value_stream from {{ ref('fct_work_items') }}

),

keyed_intervals as (

    select
        *,
        coalesce(delivery_phase, 'unmapped') as phase,
        {{ team_or_unmapped('team') }} as team_key
    from intervals

),

flagged_intervals as (

    select
        *,
        case
            when lag(phase) over (partition by issue_id order by segment_index) = phase
                and (
                    lag(team_key) over (partition by issue_id order by segment_index) = team_key
                    or phase in ('done', 'canceled')
                )
                then 0
            else 1
        end as starts_stay
    from keyed_intervals

),

numbered_intervals as (

    select
        *,
        sum(starts_stay) over (
            partition by issue_id order by segment_index rows between unbounded preceding and current row
        ) as stay_index
    from flagged_intervals

),

stays as (

    select
        issue_id,
        stay_index,
        max(issue_key) as issue_key,
        max(phase) as phase,
        -- The team of the stay's first segment (a closed item keeps the team that closed it).
        max(case when starts_stay = 1 then team_key end) as team,
        min(segment_from) as stay_started_at,
        -- The wait ends when work starts on the receiving side: its first active status.
        min(case when flow_state = 'active' then segment_from end) as first_active_at
    from numbered_intervals
    group by issue_id, stay_index

),

handoffs as (

    select
        received.issue_id,
        received.issue_key,
        received.stay_index - 1 as handoff_index,
        received.stay_started_at as handoff_at,
        handed.phase as from_phase,
        received.phase as to_phase,
        handed.team as from_team,
        received.team as to_team,
        received.first_active_at
    from stays as received
    inner join stays as handed
        on received.issue_id = handed.issue_id
        and received.stay_index = handed.stay_index + 1

),

gate_checks as (

    select
        handoffs.issue_id,
        handoffs.handoff_index,
        max(case when linked_pull_requests.pull_request_merged_at <= handoffs.handoff_at then 1 else 0 end)
            as has_merged_pull_request
    from handoffs
    inner join decision_gates
        on handoffs.to_phase = decision_gates.to_phase
        and handoffs.from_phase != handoffs.to_phase
    left join linked_pull_requests
        on handoffs.issue_id = linked_pull_requests.issue_id
    group by handoffs.issue_id, handoffs.handoff_index

),

final as (

    select
        {{ surrogate_key(['handoffs.issue_id', 'handoffs.handoff_index']) }} as handoff_id,
        handoffs.issue_id,
        handoffs.issue_key,
        cast(handoffs.handoff_index as {{ dbt.type_int() }}) as handoff_index,
        handoffs.handoff_at,
        handoffs.from_phase,
        handoffs.to_phase,
        handoffs.from_team,
        handoffs.to_team,
        handoffs.from_phase != handoffs.to_phase as is_phase_change,
        handoffs.from_team != handoffs.to_team as is_team_change,
        coalesce(to_order.phase_order < from_order.phase_order, false) as is_backward,
        handoffs.first_active_at,
        cast(
            {{ hours_between('handoffs.handoff_at', 'handoffs.first_active_at') }}
            as {{ type_double() }}
        ) as wait_hours,
        decision_gates.gate_rule,
        case
            when decision_gates.gate_rule = 'linked_merged_pull_request'
                then gate_checks.has_merged_pull_request = 1
        end as is_entry_criteria_met,
        {{ team_or_unmapped('work_item_teams.team') }} as team,
        {{ value_stream_or_unmapped('work_item_teams.value_stream') }} as value_stream,
        {{ fact_lineage_columns('issue_records') }}
    from handoffs
    left join phase_order as from_order
        on handoffs.from_phase = from_order.delivery_phase
    left join phase_order as to_order
        on handoffs.to_phase = to_order.delivery_phase
    -- Gates guard the move into a phase, not a team change within it.
    left join decision_gates
        on handoffs.to_phase = decision_gates.to_phase
        and handoffs.from_phase != handoffs.to_phase
    left join gate_checks
        on handoffs.issue_id = gate_checks.issue_id
        and handoffs.handoff_index = gate_checks.handoff_index
    left join work_item_teams
        on handoffs.issue_id = work_item_teams.issue_id
    left join {{ work_item_records() }} as issue_records
        on handoffs.issue_id = issue_records.record_issue_id

)

select * from final
