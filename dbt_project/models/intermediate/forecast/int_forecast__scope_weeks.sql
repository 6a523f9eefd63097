{#
    One row per forecast scope and week (Monday, UTC): an epic from its creation week until it closes, a
    team and a value stream from the week their first item was created until the as-of week. Each row holds
    the scope's items at the week's end (created, done, remaining: neither done nor canceled), what was done
    and added during the week, the epic's due date, and whether the week is forecast (`is_forecast`). Team and value stream scopes count their work items
    that are not epics (an epic is a container, not a unit of throughput). Items count under the owning
    team, as in every flow mart.
#}
with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

epic_keys as (

    select distinct epic_key from work_items where epic_key is not null

),

due_dates as (

    select issue_key, due_date from {{ ref('int_flow__work_items') }}

),

members as (

    select 'epic' as scope_type, epic_key as scope_key, created_at, done_at, canceled_at
    from work_items
    where epic_key is not null

    union all

    select 'team' as scope_type, team as scope_key, created_at, done_at, canceled_at
    from work_items
    where issue_key not in (select epic_key from epic_keys)

    union all

    select 'value_stream' as scope_type, value_stream as scope_key, created_at, done_at, canceled_at
    from work_items
    where issue_key not in (select epic_key from epic_keys)

),

epics as (

    select
        'epic' as scope_type,
        work_items.issue_key as scope_key,
        work_items.team,
        work_items.value_stream,
        work_items.created_at as opened_at,
        coalesce(work_items.done_at, work_items.canceled_at) as closed_at,
        due_dates.due_date
    from work_items
    inner join due_dates
        on work_items.issue_key = due_dates.issue_key
    where work_items.issue_key in (select epic_key from epic_keys)

),

team_scopes as (

    select
        'team' as scope_type,
        team as scope_key,
        team,
        max(value_stream) as value_stream,
        min(created_at) as opened_at,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        cast(null as date) as due_date
    from work_items
    where issue_key not in (select epic_key from epic_keys)
    group by team

),

value_stream_scopes as (

    select
        'value_stream' as scope_type,
        value_stream as scope_key,
        cast(null as {{ dbt.type_string() }}) as team,
        value_stream,
        min(created_at) as opened_at,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        cast(null as date) as due_date
    from work_items
    where issue_key not in (select epic_key from epic_keys)
    group by value_stream

),

scopes as (

    select * from epics
    union all
    select * from team_scopes
    union all
    select * from value_stream_scopes

),

weeks as (

    {{ flow_week_spine('(select min(created_at) from ' ~ ref('fct_work_items') ~ ')', flow_as_of_at()) }}

),

scope_weeks as (

    select
        scopes.*,
        weeks.week_start,
        cast({{ dbt.dateadd('day', 7, 'weeks.week_start') }} as date) as week_end
    from scopes
    inner join weeks
        on weeks.week_start >= cast({{ dbt.date_trunc('week', 'scopes.opened_at') }} as date)
        and (
            scopes.closed_at is null
            or weeks.week_start <= cast({{ dbt.date_trunc('week', 'scopes.closed_at') }} as date)
        )

),

counts as (

    select
        scope_weeks.scope_type,
        scope_weeks.scope_key,
        scope_weeks.week_start,
        count(members.scope_key) as item_count,
        sum(case when members.done_at < scope_weeks.week_end then 1 else 0 end) as done_item_count,
        sum(case when members.canceled_at < scope_weeks.week_end then 1 else 0 end) as canceled_item_count,
        sum(
            case when members.done_at >= scope_weeks.week_start and members.done_at < scope_weeks.week_end
                then 1 else 0 end
        ) as items_done_in_week,
        sum(case when members.created_at >= scope_weeks.week_start then 1 else 0 end) as items_added_in_week
    from scope_weeks
    left join members
        on scope_weeks.scope_type = members.scope_type
        and scope_weeks.scope_key = members.scope_key
        and members.created_at < scope_weeks.week_end
    group by scope_weeks.scope_type, scope_weeks.scope_key, scope_weeks.week_start

)

select
    scope_weeks.scope_type,
    scope_weeks.scope_key,
    scope_weeks.team,
    scope_weeks.value_stream,
    scope_weeks.week_start,
    scope_weeks.week_end,
    scope_weeks.due_date,
    cast(counts.item_count as {{ dbt.type_bigint() }}) as item_count,
    cast(coalesce(counts.done_item_count, 0) as {{ dbt.type_bigint() }}) as done_item_count,
    cast(
        counts.item_count - coalesce(counts.done_item_count, 0) - coalesce(counts.canceled_item_count, 0)
        as {{ dbt.type_bigint() }}
    ) as remaining_item_count,
    cast(coalesce(counts.items_done_in_week, 0) as {{ dbt.type_bigint() }}) as items_done_in_week,
    cast(coalesce(counts.items_added_in_week, 0) as {{ dbt.type_bigint() }}) as items_added_in_week,
    -- Forecast: every week of an epic with a due date and items left (its chance of being on time, week by
    -- week), and every scope with items left as of the newest week. Each forecast runs 10,000 trials, so
    -- a week-by-week history of every forecast would cost far more than it tells.
    (
        counts.item_count - coalesce(counts.done_item_count, 0) - coalesce(counts.canceled_item_count, 0) > 0
        and (scope_weeks.due_date is not null or scope_weeks.week_start = (select max(week_start) from weeks))
    ) as is_forecast
from scope_weeks
inner join counts
    on scope_weeks.scope_type = counts.scope_type
    and scope_weeks.scope_key = counts.scope_key
    and scope_weeks.week_start = counts.week_start
