-- One row per team: its DORA-style deployment frequency bucket over a trailing window that ends with the
-- organisation's newest production deployment (so that the profile does not depend on today's date).
with
deployments as (
    select team, deployed_at
    from {{ ref('fct_deployments') }}
    where is_production_deployment and team is not null
),

window_bounds as (
    select
        {{ dbt.dateadd('day', -1 * var('dora_frequency_window_days'), 'window_end') }} as window_start,
        window_end
    from (
        select {{ dbt.dateadd('day', 1, 'cast(max(deployed_at) as date)') }} as window_end from deployments
    ) as newest
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
    from {{ ref('teams') }} as t
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
