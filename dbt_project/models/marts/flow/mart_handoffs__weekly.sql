{#
    Handoff friction per week (Monday, UTC) and receiving team (the holding team the item was handed to;
    `unmapped` when no seed maps it): for every phase pair and every team pair,
    how many handoffs, how long work waited on the receiving side, and how often it bounced back. The pair
    where work waited longest in total ranks first: the highest-friction handoff of that team's week.
#}
with

handoffs as (

    select * from {{ ref('fct_handoffs') }}

),

teams as (

    select * from {{ ref('teams') }}

),

weekly_handoffs as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'handoff_at') }} as date) as week_start,
        {{ team_or_unmapped('to_team') }} as receiving_team
    from handoffs

),

pairs as (

    select
        week_start,
        receiving_team,
        'phase' as pair_type,
        from_phase as from_value,
        to_phase as to_value,
        wait_hours,
        is_backward
    from weekly_handoffs
    where is_phase_change

    union all

    select
        week_start,
        receiving_team,
        'team' as pair_type,
        {{ team_or_unmapped('from_team') }} as from_value,
        receiving_team as to_value,
        wait_hours,
        is_backward
    from weekly_handoffs
    where is_team_change

),

pair_weeks as (

    select
        week_start,
        receiving_team,
        pair_type,
        from_value,
        to_value,
        count(*) as handoff_count,
        count(wait_hours) as handoffs_worked,
        {{ percentile_cont_agg('wait_hours', 0.5) }} as wait_median_hours,
        {{ percentile_cont_agg('wait_hours', 0.85) }} as wait_p85_hours,
        coalesce({{ sum_hours('wait_hours') }}, 0) as wait_total_hours,
        sum(case when is_backward then 1 else 0 end) as bounce_back_count
    from pairs
    group by week_start, receiving_team, pair_type, from_value, to_value

),

ranked as (

    select
        *,
        row_number() over (
            partition by week_start, receiving_team, pair_type
            order by wait_total_hours desc, handoff_count desc, from_value, to_value
        ) as friction_rank
    from pair_weeks

),

final as (

    select
        {{ surrogate_key(['ranked.week_start', 'ranked.receiving_team', 'ranked.pair_type', 'ranked.from_value', 'ranked.to_value']) }}
            as handoff_pair_week_id,
        ranked.week_start,
        ranked.receiving_team as team,
        {{ value_stream_or_unmapped('teams.value_stream') }} as value_stream,
        ranked.pair_type,
        ranked.from_value,
        ranked.to_value,
        cast(ranked.handoff_count as {{ dbt.type_int() }}) as handoff_count,
        cast(ranked.handoffs_worked as {{ dbt.type_int() }}) as handoffs_worked,
        cast(ranked.wait_median_hours as {{ type_double() }}) as wait_median_hours,
        cast(ranked.wait_p85_hours as {{ type_double() }}) as wait_p85_hours,
        cast(ranked.wait_total_hours as {{ type_double() }}) as wait_total_hours,
        cast(ranked.bounce_back_count as {{ dbt.type_int() }}) as bounce_back_count,
        cast(1.0 * ranked.bounce_back_count / ranked.handoff_count as {{ type_double() }}) as bounce_back_rate,
        cast(ranked.friction_rank as {{ dbt.type_int() }}) as friction_rank,
        ranked.friction_rank = 1 as is_highest_friction
    from ranked
    left join teams
        on ranked.receiving_team = teams.team

)

select * from final
