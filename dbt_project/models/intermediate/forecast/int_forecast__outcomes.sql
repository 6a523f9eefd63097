{#
    One row per forecast scope and week that int_forecast__scope_weeks forecasts: the Monte Carlo answers
    as of the week's end, read from the histogram of the scope's throughput history
    (int_forecast__simulated_throughput).
    - When: trial week k finishes the scope when the trial has done at least the items left plus the scope
      growth of k weeks (growth per week: items added in the history weeks ÷ their number; 0 with var
      `forecast_scope_growth` off). The completion week at confidence p is the first week by which a share p
      of the trials has finished; its date is the Sunday ending that week. Null beyond the horizon.
    - How many: the items done by a date at confidence p: the most items at least a share p of the trials
      has done in the whole weeks up to that date (the due date; the quarter's end).
    - probability_on_time: the largest share of trials finished by a week ending on or before the due date.
    - For a number of items the user sets (var `forecast_item_count`): the completion dates at the same
      confidences of that many more items, whatever the backlog holds (no scope growth: the number is fixed).
#}
{%- set trials = var('forecast_trials') | int -%}
{%- set horizon_weeks = var('forecast_horizon_weeks') | int -%}
{%- set confidences = [50, 70, 85, 95] -%}
{%- set item_count = var('forecast_item_count') | int -%}

with

scope_weeks as (

    select * from {{ ref('int_forecast__scope_weeks') }}
    where is_forecast

),

histories as (

    select
        scope_type,
        scope_key,
        week_start,
        max(history_key) as history_key,
        max(history_week_count) as history_week_count,
        sum(items_done) as history_items_done,
        sum(items_added) as history_items_added
    from {{ ref('int_forecast__history_weeks') }}
    group by scope_type, scope_key, week_start

),

simulated as (

    select * from {{ ref('int_forecast__simulated_throughput') }}

),

forecasts as (

    select
        scope_weeks.scope_type,
        scope_weeks.scope_key,
        scope_weeks.week_start,
        scope_weeks.week_end,
        scope_weeks.due_date,
        scope_weeks.remaining_item_count,
        histories.history_key,
        histories.history_week_count,
        cast(histories.history_items_done as {{ type_double() }}) / histories.history_week_count
            as throughput_mean_per_week,
        {% if var('forecast_scope_growth') | string | lower in ['true', '1', 'yes'] -%}
        cast(histories.history_items_added as {{ type_double() }}) / histories.history_week_count
        {%- else -%}
        cast(0 as {{ type_double() }})
        {%- endif %} as scope_growth_per_week,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'scope_weeks.week_end'))) }} as date)
            as quarter_end_date
    from scope_weeks
    inner join histories
        on scope_weeks.scope_type = histories.scope_type
        and scope_weeks.scope_key = histories.scope_key
        and scope_weeks.week_start = histories.week_start

),

-- Whole weeks ahead that end on or before a date: week k ends on week_end + 7k - 1.
horizons as (

    select
        *,
        cast(floor(({{ dbt.datediff('week_end', 'due_date', 'day') }} + 1) / 7.0) as {{ dbt.type_int() }})
            as weeks_to_due_date,
        cast(floor(({{ dbt.datediff('week_end', 'quarter_end_date', 'day') }} + 1) / 7.0) as {{ dbt.type_int() }})
            as weeks_to_quarter_end
    from forecasts

),

-- Share of trials finished by each week ahead.
finished as (

    select
        horizons.scope_type,
        horizons.scope_key,
        horizons.week_start,
        simulated.week_offset,
        cast(sum(
            case
                when simulated.items_done_cumulative
                    >= horizons.remaining_item_count + horizons.scope_growth_per_week * simulated.week_offset
                    then simulated.trial_count else 0
            end
        ) as {{ type_double() }}) / {{ trials }} as finished_share,
        cast(sum(
            case when simulated.items_done_cumulative >= {{ item_count }} then simulated.trial_count else 0 end
        ) as {{ type_double() }}) / {{ trials }} as item_count_finished_share
    from horizons
    inner join simulated
        on horizons.history_key = simulated.history_key
    group by horizons.scope_type, horizons.scope_key, horizons.week_start, simulated.week_offset

),

completion as (

    select
        finished.scope_type,
        finished.scope_key,
        finished.week_start,
        {%- for confidence in confidences %}
        min(case when finished.finished_share >= {{ confidence / 100 }} then finished.week_offset end)
            as p{{ confidence }}_completion_weeks,
        min(case when finished.item_count_finished_share >= {{ confidence / 100 }} then finished.week_offset end)
            as p{{ confidence }}_item_count_weeks,
        {%- endfor %}
        max(case when finished.week_offset <= horizons.weeks_to_due_date then finished.finished_share end)
            as finished_share_by_due_date
    from finished
    inner join horizons
        on finished.scope_type = horizons.scope_type
        and finished.scope_key = horizons.scope_key
        and finished.week_start = horizons.week_start
    group by finished.scope_type, finished.scope_key, finished.week_start

),

-- Share of trials that did at least each number of items, in the weeks up to the due date or quarter end.
at_least as (

    select
        horizons.scope_type,
        horizons.scope_key,
        horizons.week_start,
        simulated.week_offset = horizons.weeks_to_due_date as is_due_date,
        simulated.week_offset = horizons.weeks_to_quarter_end as is_quarter_end,
        simulated.items_done_cumulative,
        cast(sum(simulated.trial_count) over (
            partition by horizons.scope_type, horizons.scope_key, horizons.week_start, simulated.week_offset
            order by simulated.items_done_cumulative desc
            rows between unbounded preceding and current row
        ) as {{ type_double() }}) / {{ trials }} as at_least_share
    from horizons
    inner join simulated
        on horizons.history_key = simulated.history_key
        and simulated.week_offset in (horizons.weeks_to_due_date, horizons.weeks_to_quarter_end)

),

how_many as (

    select
        scope_type,
        scope_key,
        week_start,
        {%- for confidence in confidences %}
        max(case when is_due_date and at_least_share >= {{ confidence / 100 }} then items_done_cumulative end)
            as p{{ confidence }}_items_by_due_date,
        max(case when is_quarter_end and at_least_share >= {{ confidence / 100 }} then items_done_cumulative end)
            as p{{ confidence }}_items_by_quarter_end{{ "," if not loop.last }}
        {%- endfor %}
    from at_least
    group by scope_type, scope_key, week_start

)

select
    horizons.scope_type,
    horizons.scope_key,
    horizons.week_start,
    horizons.remaining_item_count,
    horizons.history_key,
    cast(horizons.history_week_count as {{ dbt.type_int() }}) as history_weeks,
    cast(horizons.throughput_mean_per_week as {{ type_double() }}) as throughput_mean_per_week,
    cast(horizons.scope_growth_per_week as {{ type_double() }}) as scope_growth_per_week,
    {%- for confidence in confidences %}
    cast(completion.p{{ confidence }}_completion_weeks as {{ dbt.type_int() }}) as p{{ confidence }}_completion_weeks,
    cast({{ dbt.dateadd('day', '7 * completion.p' ~ confidence ~ '_completion_weeks - 1', 'horizons.week_end') }} as date)
        as p{{ confidence }}_completion_date,
    {%- endfor %}
    cast(
        case
            when horizons.due_date is null then null
            when horizons.weeks_to_due_date < 1 then 0
            else completion.finished_share_by_due_date
        end as {{ type_double() }}
    ) as probability_on_time,
    horizons.quarter_end_date,
    {%- for confidence in confidences %}
    cast(
        case
            when horizons.due_date is null then null
            when horizons.weeks_to_due_date < 1 then 0
            else how_many.p{{ confidence }}_items_by_due_date
        end as {{ dbt.type_bigint() }}
    ) as p{{ confidence }}_items_by_due_date,
    cast(
        case when horizons.weeks_to_quarter_end < 1 then 0 else how_many.p{{ confidence }}_items_by_quarter_end end
        as {{ dbt.type_bigint() }}
    ) as p{{ confidence }}_items_by_quarter_end,
    {%- endfor %}
    cast({{ item_count }} as {{ dbt.type_int() }}) as forecast_item_count,
    {%- for confidence in confidences %}
    cast({{ dbt.dateadd('day', '7 * completion.p' ~ confidence ~ '_item_count_weeks - 1', 'horizons.week_end') }} as date)
        as p{{ confidence }}_item_count_completion_date,
    {%- endfor %}
    cast({{ trials }} as {{ dbt.type_int() }}) as forecast_trials,
    cast({{ var('forecast_seed') | int }} as {{ dbt.type_int() }}) as forecast_seed
from horizons
inner join completion
    on horizons.scope_type = completion.scope_type
    and horizons.scope_key = completion.scope_key
    and horizons.week_start = completion.week_start
left join how_many
    on horizons.scope_type = how_many.scope_type
    and horizons.scope_key = how_many.scope_key
    and horizons.week_start = how_many.week_start
