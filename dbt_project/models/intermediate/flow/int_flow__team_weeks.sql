{#
    Every team and week (Monday, UTC) the weekly flow models report, from the week of the first start to the
    as-of time: the teams of the teams seed, and any other team an item counts under (`unmapped`, or a team a
    mapping seed names that the teams seed lacks), so that no item is dropped.
#}
with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

weeks as (

    {{ flow_week_spine(
        "(select min(started_at) from " ~ ref('fct_work_items') ~ ")",
        flow_as_of_at()
    ) }}

),

flow_teams as (

    select team, value_stream from {{ ref('teams') }}

    union all

    select distinct work_items.team, work_items.value_stream
    from work_items
    where work_items.team not in (select team from {{ ref('teams') }})

)

select
    weeks.week_start,
    {{ dbt.dateadd('day', 7, 'weeks.week_start') }} as week_end,
    flow_teams.team,
    {{ value_stream_or_unmapped('flow_teams.value_stream') }} as value_stream
from weeks
cross join flow_teams
