{#
    Time each work item spent in each delivery phase. An entry is a move into the phase from another phase
    (moves between statuses of the same phase do not count), so more than one entry means rework.
    Time in done or canceled before a reopen is closed time: neither active nor waiting.
    The phase counts under the item's owning team (as in fct_work_items); holding_team is the team that
    held the item longest in the phase (ties, and done or canceled, whose rest is not measured: the team
    holding it when it last entered the phase).
#}
with

intervals as (

    select * from {{ ref('int_flow__work_item_status_intervals') }}

),

phased_intervals as (

    select
        *,
        coalesce(delivery_phase, 'unmapped') as phase,
        lag(coalesce(delivery_phase, 'unmapped')) over (partition by issue_id order by interval_index)
            as previous_phase
    from intervals

),

segments as (

    select * from {{ ref('int_flow__work_item_flow_segments') }}

),

as_of as (

    select {{ flow_as_of_at() }} as as_of_at

),

-- The team holding the item when it last entered each phase.
last_entry_teams as (

    select
        issue_id,
        phase,
        team,
        row_number() over (partition by issue_id, phase order by valid_from desc, interval_index desc)
            as entry_rank
    from phased_intervals
    where previous_phase is null or previous_phase != phase

),

-- Hours each team held the item in each phase; an open segment runs to the as-of time, as in the intervals.
team_phase_hours as (

    select
        segments.issue_id,
        coalesce(segments.delivery_phase, 'unmapped') as phase,
        segments.team,
        {{ sum_hours(
            "case when segments.flow_state in ('done', 'canceled') then 0"
            ~ " when segments.segment_to is not null then "
            ~ hours_between('segments.segment_from', 'segments.segment_to')
            ~ " when as_of.as_of_at > segments.segment_from then "
            ~ hours_between('segments.segment_from', 'as_of.as_of_at')
            ~ " else 0 end"
        ) }} as held_hours
    from segments
    cross join as_of
    group by segments.issue_id, coalesce(segments.delivery_phase, 'unmapped'), segments.team

),

holding_teams as (

    select
        team_phase_hours.issue_id,
        team_phase_hours.phase,
        team_phase_hours.team as holding_team,
        row_number() over (
            partition by team_phase_hours.issue_id, team_phase_hours.phase
            order by
                team_phase_hours.held_hours desc,
                case when team_phase_hours.team = last_entry_teams.team then 0 else 1 end,
                team_phase_hours.team
        ) as holding_rank
    from team_phase_hours
    left join last_entry_teams
        on team_phase_hours.issue_id = last_entry_teams.issue_id
        and team_phase_hours.phase = last_entry_teams.phase
        and last_entry_teams.entry_rank = 1

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
        coalesce({{ sum_hours("case when flow_state in ('done', 'canceled') then duration_hours end") }}, 0)
            as closed_hours,
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
        -- Everything that is neither active work nor closed: waiting, blocked, or not yet started (new).
        cast(total_hours - active_hours - closed_hours as {{ type_double() }}) as waiting_hours,
        cast(closed_hours as {{ type_double() }}) as closed_hours,
        is_current_phase,
        {{ team_or_unmapped('work_item_teams.team') }} as team,
        {{ value_stream_or_unmapped('work_item_teams.value_stream') }} as value_stream,
        {{ team_or_unmapped('holding_teams.holding_team') }} as holding_team,
        {{ fact_lineage_columns('issue_records') }}
    from phases
    left join work_item_teams
        on phases.issue_id = work_item_teams.issue_id
    left join holding_teams
        on phases.issue_id = holding_teams.issue_id
        and phases.delivery_phase = holding_teams.phase
        and holding_teams.holding_rank = 1
    left join {{ work_item_records() }} as issue_records
        on phases.issue_id = issue_records.record_issue_id

)

select * from final
