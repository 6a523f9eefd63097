{#
    Time each work item spent in each delivery phase. An entry is a move into the phase from another phase
    (moves between statuses of the same phase do not count), so more than one entry means rework.
#}
with

intervals as (

    select * from {{ ref('int_work_item_status_intervals') }}

),

phased_intervals as (

    select
        *,
        coalesce(delivery_phase, 'unmapped') as phase,
        lag(coalesce(delivery_phase, 'unmapped')) over (partition by issue_id order by interval_index)
            as previous_phase
    from intervals

),

phases as (

    select
        issue_id,
        max(issue_key) as issue_key,
        phase as delivery_phase,
        min(valid_from) as first_entered_at,
        -- Null while the item is still in the phase.
        case when max(case when is_current then 1 else 0 end) = 1 then null else max(valid_to) end
            as last_exited_at,
        sum(case when previous_phase is null or previous_phase != phase then 1 else 0 end) as times_entered,
        coalesce({{ sum_hours('duration_hours') }}, 0) as total_hours,
        coalesce({{ sum_hours("case when flow_state = 'active' then duration_hours end") }}, 0) as active_hours,
        max(case when is_current then 1 else 0 end) = 1 as is_current_phase
    from phased_intervals
    group by issue_id, phase

),

-- The team the item counts under in the flow marts, so phase time can be cut by team without a join.
work_item_teams as (

    select issue_id, team, value_stream from {{ ref('fct_work_items') }}

),

final as (

    select
        {{ surrogate_key(['phases.issue_id', 'delivery_phase']) }} as work_item_phase_id,
        phases.issue_id,
        issue_key,
        delivery_phase,
        first_entered_at,
        last_exited_at,
        cast(times_entered as {{ dbt.type_int() }}) as times_entered,
        cast(total_hours as {{ type_double() }}) as total_hours,
        cast(active_hours as {{ type_double() }}) as active_hours,
        -- Everything that is not active work: waiting, blocked, or not yet started (new).
        cast(total_hours - active_hours as {{ type_double() }}) as waiting_hours,
        is_current_phase,
        work_item_teams.team,
        work_item_teams.value_stream,
        {{ fact_lineage_columns('issue_records') }}
    from phases
    left join work_item_teams
        on phases.issue_id = work_item_teams.issue_id
    left join {{ work_item_records() }} as issue_records
        on phases.issue_id = issue_records.record_issue_id

)

select * from final
