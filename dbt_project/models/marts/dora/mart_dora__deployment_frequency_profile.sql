-- One row per team (each team of mappings/teams.csv, and the unmapped team when a production deployment has no
-- mapped team): its DORA-style deployment frequency bucket over a trailing window that ends with the
-- organisation's newest production deployment (so that the profile does not depend on today's date).
-- Without any production deployment (an organisation that exports only Jira, or whose production pattern
-- matches nothing), the window ends with the newest record loaded of any tool, and every team counts zero;
-- only a warehouse with no record at all ends it today.
with
deployments as (
    select team, value_stream, deployed_at
    from {{ ref('fct_deployments') }}
    where is_production_deployment
),

-- the newest record of each tool the window can end on, newest production deployment first
window_end_candidates as (
    select 1 as preference, max(deployed_at) as newest_at from deployments
    union all
    select 2, max(coalesce(finished_at, started_at)) from {{ ref('fct_deployments') }}
    union all
    select 2, max(coalesce(merged_at, opened_at)) from {{ ref('fct_changes') }}
    union all
    select 2, max(started_at) from {{ ref('fct_incidents') }}
    union all
    select 2, max(coalesce(updated_at, created_at)) from {{ ref('int_flow__work_items') }}
),

newest as (
    select coalesce(
        max(case when preference = 1 then newest_at end),
        max(case when preference = 2 then newest_at end),
        {{ dbt.current_timestamp() }}
    ) as newest_at
    from window_end_candidates
),

window_bounds as (
    select
        {{ dbt.dateadd('day', -1 * var('dora_frequency_window_days'), 'window_end') }} as window_start,
        window_end
    from (
        select {{ dbt.dateadd('day', 1, 'cast(newest_at as date)') }} as window_end from newest
    ) as newest_day
),

in_window as (
    select d.team, d.deployed_at, cast(d.deployed_at as date) as deployed_on
    from deployments as d
    cross join window_bounds as w
    where d.deployed_at >= w.window_start and d.deployed_at < w.window_end
),

team_stats as (
    select
        team,
        count(*) as deployment_count,
        count(distinct deployed_on) as deployment_days,
        -- weeks counted from the window's start, so that partial calendar weeks do not skew the share
        count(distinct floor({{ dbt.datediff('w.window_start', 'deployed_on', 'day') }} / 7)) as weeks_with_deployment
    from in_window
    cross join window_bounds as w
    group by team
),

-- the seed's teams, and the teams of deployments the seed does not list (the unmapped team)
profiled_teams as (
    select team, {{ value_stream_or_unmapped('value_stream') }} as value_stream from {{ ref('teams') }}
    union
    select distinct d.team, d.value_stream
    from deployments as d
    left join {{ ref('teams') }} as t on d.team = t.team
    where t.team is null
),

profile as (
    select
        t.team,
        t.value_stream,
        w.window_start,
        w.window_end,
        coalesce(s.deployment_count, 0) as deployment_count,
        coalesce(s.deployment_days, 0) as deployment_days,
        cast(coalesce(s.deployment_count, 0) as {{ type_double() }}) / {{ var('dora_frequency_window_days') }}
            as deployments_per_day,
        cast(coalesce(s.weeks_with_deployment, 0) as {{ type_double() }})
            / ceiling({{ var('dora_frequency_window_days') }} / 7.0) as weeks_with_deployment_share
    from profiled_teams as t
    cross join window_bounds as w
    left join team_stats as s on t.team = s.team
)

select
    cast(team as {{ dbt.type_string() }}) as team,
    cast(value_stream as {{ dbt.type_string() }}) as value_stream,
    cast(window_start as date) as window_start,
    cast(window_end as date) as window_end,
    cast(deployment_count as {{ dbt.type_bigint() }}) as deployment_count,
    cast(deployment_days as {{ dbt.type_bigint() }}) as deployment_days,
    cast(deployments_per_day as {{ type_double() }}) as deployments_per_day,
    cast(weeks_with_deployment_share as {{ type_double() }}) as weeks_with_deployment_share,
    cast(
        case
            when deployments_per_day >= 1 then 'on_demand'
            when deployments_per_day >= 1.0 / 7 then 'daily_to_weekly'
            when deployments_per_day >= 1.0 / 30 then 'weekly_to_monthly'
            else 'less_often'
        end as {{ dbt.type_string() }}
    ) as frequency_bucket
from profile
