{#
    Epic completion forecast per epic and week (Monday, UTC), while the epic is open: the items left at
    the week's end, the epic's recent throughput (its items done in the 4 weeks up to the week's end, per
    week), the date that throughput finishes the rest, and whether that passes the epic's due date.
    The forecast is deliberately simple (remaining / recent rate) so that the flag explains itself.
    Beside it, the Monte Carlo forecast (int_forecast__outcomes) of every week with a due date and items
    left, and of the newest week: completion dates at 50/70/85/95 % confidence, the probability of finishing
    by the due date, the items done by the due date and by the quarter's end, with its trials and seed.
#}
{%- set confidences = [50, 70, 85, 95] -%}
{%- set window_weeks = var('flow_forecast_window_weeks') -%}

with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

issues as (

    select issue_key, due_date from {{ ref('int_flow__work_items') }}

),

epics as (

    select
        work_items.issue_key as epic_key,
        work_items.team,
        work_items.value_stream,
        work_items.created_at,
        coalesce(work_items.done_at, work_items.canceled_at) as closed_at,
        issues.due_date
    from work_items
    inner join issues
        on work_items.issue_key = issues.issue_key
    where work_items.issue_key in (select epic_key from work_items where epic_key is not null)

),

children as (

    select epic_key, created_at, done_at, canceled_at
    from work_items
    where epic_key is not null

),

weeks as (

    {{ flow_week_spine('(select min(created_at) from epics)', flow_as_of_at()) }}

),

epic_weeks as (

    select
        epics.*,
        weeks.week_start,
        {{ dbt.dateadd('day', 7, 'weeks.week_start') }} as week_end
    from epics
    inner join weeks
        on weeks.week_start >= cast({{ dbt.date_trunc('week', 'epics.created_at') }} as date)
        and (epics.closed_at is null or weeks.week_start <= cast({{ dbt.date_trunc('week', 'epics.closed_at') }} as date))

),

progress as (

    select
        epic_weeks.epic_key,
        epic_weeks.week_start,
        count(children.epic_key) as item_count,
        sum(case when children.done_at < epic_weeks.week_end then 1 else 0 end) as done_item_count,
        sum(case when children.canceled_at < epic_weeks.week_end then 1 else 0 end) as canceled_item_count,
        sum(
            case
                when children.done_at < epic_weeks.week_end
                    and children.done_at >= {{ dbt.dateadd('week', -window_weeks, 'epic_weeks.week_end') }}
                    then 1 else 0
            end
        ) as recent_done_item_count
    from epic_weeks
    inner join children
        on epic_weeks.epic_key = children.epic_key
        and children.created_at < epic_weeks.week_end
    group by epic_weeks.epic_key, epic_weeks.week_start

),

forecast as (

    select
        epic_weeks.epic_key,
        epic_weeks.week_start,
        epic_weeks.team,
        epic_weeks.value_stream,
        epic_weeks.due_date,
        progress.item_count,
        progress.done_item_count,
        progress.item_count - progress.done_item_count - progress.canceled_item_count as remaining_item_count,
        cast(progress.recent_done_item_count as {{ type_double() }}) / {{ window_weeks }} as throughput_per_week,
        cast(epic_weeks.week_end as date) as week_end
    from epic_weeks
    inner join progress
        on epic_weeks.epic_key = progress.epic_key
        and epic_weeks.week_start = progress.week_start

),

monte_carlo as (

    select
        scope_key,
        week_start,
        history_weeks,
        scope_growth_per_week,
        {%- for confidence in confidences %}
        p{{ confidence }}_completion_date,
        p{{ confidence }}_items_by_due_date,
        p{{ confidence }}_items_by_quarter_end,
        {%- endfor %}
        probability_on_time,
        quarter_end_date,
        forecast_trials,
        forecast_seed
    from {{ ref('int_forecast__outcomes') }}
    where scope_type = 'epic'

),

dated as (

    select
        *,
        case
            when remaining_item_count > 0 and throughput_per_week > 0
                then cast({{ dbt.dateadd(
                    'day',
                    'cast(ceil(7 * remaining_item_count / throughput_per_week) as ' ~ dbt.type_int() ~ ')',
                    'week_end') }} as date)
        end as forecast_done_on
    from forecast

)

select
    {{ surrogate_key(['dated.epic_key', 'dated.week_start']) }} as epic_week_key,
    dated.epic_key,
    dated.week_start,
    team,
    value_stream,
    cast(item_count as {{ dbt.type_bigint() }}) as item_count,
    cast(done_item_count as {{ dbt.type_bigint() }}) as done_item_count,
    cast(remaining_item_count as {{ dbt.type_bigint() }}) as remaining_item_count,
    throughput_per_week,
    forecast_done_on,
    due_date,
    coalesce(
        due_date is not null
        and remaining_item_count > 0
        and (forecast_done_on is null or forecast_done_on > due_date),
        false
    ) as is_forecast_late,
    case
        when due_date is null or remaining_item_count = 0 then null
        when forecast_done_on is null
            then cast(remaining_item_count as {{ dbt.type_string() }}) || case when remaining_item_count = 1 then ' item left' else ' items left' end
                || ' and none done in the last '
                || '{{ window_weeks }} weeks; due ' || cast(due_date as {{ dbt.type_string() }})
        when forecast_done_on > due_date
            then cast(remaining_item_count as {{ dbt.type_string() }}) || case when remaining_item_count = 1 then ' item left' else ' items left' end
                || ' at '
                || cast(round(throughput_per_week, 2) as {{ dbt.type_string() }}) || ' a week: done about '
                || cast(forecast_done_on as {{ dbt.type_string() }}) || ', after the due date '
                || cast(due_date as {{ dbt.type_string() }})
    end as risk_reason,
    monte_carlo.history_weeks,
    monte_carlo.scope_growth_per_week,
    {%- for confidence in confidences %}
    monte_carlo.p{{ confidence }}_completion_date,
    {%- endfor %}
    monte_carlo.probability_on_time,
    {%- for confidence in confidences %}
    monte_carlo.p{{ confidence }}_items_by_due_date,
    {%- endfor %}
    monte_carlo.quarter_end_date,
    {%- for confidence in confidences %}
    monte_carlo.p{{ confidence }}_items_by_quarter_end,
    {%- endfor %}
    monte_carlo.forecast_trials,
    monte_carlo.forecast_seed
from dated
left join monte_carlo
    on dated.epic_key = monte_carlo.scope_key
    and dated.week_start = monte_carlo.week_start
