{#
    The grains the DORA period marts report: each team (the teams seed's, and the team of any event the seed
    does not list, such as the unmapped team), each of their value streams, and the organisation.
#}
with

-- the seed's teams, and the teams of events the seed does not list: the unmapped team (and its value stream)
event_teams as (

    select distinct team, value_stream from {{ ref('int_dora__metric_events') }}

),

team_grains as (

    select team, {{ value_stream_or_unmapped('value_stream') }} as value_stream from {{ ref('teams') }}
    union
    select e.team, e.value_stream
    from event_teams as e
    left join {{ ref('teams') }} as t on e.team = t.team
    where t.team is null

)

select 'team' as grain, team as grain_key, team, value_stream from team_grains
union all
select distinct 'value_stream' as grain, value_stream as grain_key,
    cast(null as {{ dbt.type_string() }}) as team, value_stream
from team_grains
union all
select 'organisation' as grain, 'organisation' as grain_key,
    cast(null as {{ dbt.type_string() }}) as team, cast(null as {{ dbt.type_string() }}) as value_stream
