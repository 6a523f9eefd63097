{#
    dora_period_mart: the body of mart_dora__weekly / mart_dora__monthly. One row per grain (each team, each
    value stream, the organisation) and period (`week` or `month`), every period from the first to the last
    event present, zeros where nothing happened; no rows at all when there is no DORA event (an organisation
    that exports only Jira). What no seed maps counts under the unmapped team and value stream, which have
    rows only when such events exist. Events are dated by: production deployments and their
    failures by deployed_at, changes by their deployment's deployed_at, incidents by their start, and
    (for time to merge only) pull requests by their merge, deployed or not yet. The events are the rows of
    int_dora__metric_events (which fct_metric_members lists) and the grains those of int_dora__metric_grains:
    the macro only aggregates them by `period`.
#}
{% macro dora_period_mart(period) %}
{%- set period_days = 7 if period == 'week' else none -%}
with

events as (
    select * from {{ ref('int_dora__metric_events') }}
),

-- every event once per grain it counts in: its team, its value stream, the organisation
events_by_grain as (
    {{ rows_by_grain('events') }}
),

grains as (
    select grain, grain_key, team, value_stream from {{ ref('int_dora__metric_grains') }}
),

bounds as (
    select
        min({{ dbt.date_trunc(period, 'event_at') }}) as first_period,
        max({{ dbt.date_trunc(period, 'event_at') }}) as last_period
    from events
),

digits as (
    {% for d in range(10) %}select {{ d }} as d{% if not loop.last %} union all {% endif %}{% endfor %}
),

numbers as (
    select a.d + 10 * b.d + 100 * c.d + 1000 * e.d as n
    from digits as a cross join digits as b cross join digits as c cross join digits as e
),

periods as (
    select
        {{ dbt.dateadd(period, 'numbers.n', 'bounds.first_period') }} as period_start,
        {{ dbt.dateadd(period, 'numbers.n + 1', 'bounds.first_period') }} as period_end
    from numbers
    cross join bounds
    where {{ dbt.dateadd(period, 'numbers.n', 'bounds.first_period') }} <= bounds.last_period
),

-- one aggregation of every kind of event: each measure reads the rows of its kind only (the columns of one
-- kind are null on the others, and count and the percentiles skip nulls)
period_stats as (
    select
        grain, grain_key, {{ dbt.date_trunc(period, 'event_at') }} as period_start,
        count(case when event_kind = 'deployment' then 1 end) as deployment_count,
        count(distinct case when event_kind = 'deployment' then cast(event_at as date) end) as deployment_days,
        sum(case when event_kind = 'deployment' and is_failure then 1 else 0 end) as failed_deployment_count,
        sum(case when event_kind = 'deployment' and is_unplanned_fix then 1 else 0 end) as unplanned_fix_count,
        sum(case when event_kind = 'deployment' and is_failure and recovery_time_hours is not null then 1 else 0 end)
            as recovery_time_deployment_count,
        {{ percentile_cont_agg("case when event_kind = 'deployment' and is_failure then recovery_time_hours end", 0.5) }}
            as recovery_time_median_hours,
        count(case when event_kind = 'change' then 1 end) as change_count,
        sum(case when event_kind = 'change' and is_in_lead_time then 1 else 0 end) as lead_time_change_count,
        {%- set lead_time = "case when event_kind = 'change' and is_in_lead_time then lead_time_hours end" %}
        {{ percentile_cont_agg(lead_time, 0.5) }} as lead_time_median_hours,
        {{ percentile_cont_agg(lead_time, 0.75) }} as lead_time_p75_hours,
        {{ percentile_cont_agg(lead_time, 0.9) }} as lead_time_p90_hours,
        count(case when event_kind = 'incident' then 1 end) as incident_count,
        {{ percentile_cont_agg("case when event_kind = 'incident' then duration_hours end", 0.5) }}
            as incident_duration_median_hours,
        count(case when event_kind = 'merge' then 1 end) as merged_pull_request_count,
        {{ percentile_cont_agg("case when event_kind = 'merge' then time_to_merge_hours end", 0.5) }}
            as time_to_merge_median_hours
    from events_by_grain
    group by grain, grain_key, {{ dbt.date_trunc(period, 'event_at') }}
),

metrics as (
    select
        g.grain,
        g.grain_key,
        g.team,
        g.value_stream,
        cast(p.period_start as date) as period_start,
        cast(p.period_end as date) as period_end,
        {{ dbt.datediff('p.period_start', 'p.period_end', 'day') }} as period_days,
        coalesce(s.deployment_count, 0) as deployment_count,
        coalesce(s.deployment_days, 0) as deployment_days,
        coalesce(s.change_count, 0) as change_count,
        coalesce(s.lead_time_change_count, 0) as lead_time_change_count,
        s.lead_time_median_hours,
        s.lead_time_p75_hours,
        s.lead_time_p90_hours,
        coalesce(s.merged_pull_request_count, 0) as merged_pull_request_count,
        s.time_to_merge_median_hours,
        coalesce(s.failed_deployment_count, 0) as failed_deployment_count,
        -- failures are dated by their deployment and a deployment fails once: never above 1
        case
            when s.deployment_count > 0
                then cast(s.failed_deployment_count as {{ type_double() }}) / s.deployment_count
        end as change_failure_rate,
        s.recovery_time_median_hours,
        coalesce(s.recovery_time_deployment_count, 0) as recovery_time_deployment_count,
        coalesce(s.incident_count, 0) as incident_count,
        s.incident_duration_median_hours,
        coalesce(s.unplanned_fix_count, 0) as unplanned_fix_count,
        case
            when s.deployment_count > 0
                then cast(s.unplanned_fix_count as {{ type_double() }}) / s.deployment_count
        end as rework_rate
    from grains as g
    cross join periods as p
    left join period_stats as s
        on g.grain = s.grain and g.grain_key = s.grain_key and p.period_start = s.period_start
),

with_rates as (
    select
        metrics.*,
        cast(deployment_count as {{ type_double() }}) / period_days as deployments_per_day,
        -- a rate's change is read in percentage points, never as a relative change of a percentage; the
        -- periods are dense per grain (zeros where nothing happened), so the previous row is the previous period
        {% for rate in ['change_failure_rate', 'rework_rate'] %}
        ({{ rate }} - lag({{ rate }}) over (partition by grain, grain_key order by period_start)) * 100
            as {{ rate }}_delta_pp{% if not loop.last %},{% endif %}
        {% endfor %}
    from metrics
),

-- the configured report year's tier thresholds (seeds/dora_tier_thresholds.csv)
tier_thresholds as (
    select metric, tier_rank, lower_bound, upper_bound
    from {{ ref('dora_tier_thresholds') }}
    where report_year = {{ var('dora_report_year') }}
),

-- each row's rank in each tiered metric, by one join with the thresholds: a subquery per row and metric
-- cost Spark's optimizer minutes
tier_ranks as (
    select
        r.grain,
        r.grain_key,
        r.period_start,
        {% for metric in dora_tiered_metrics() %}
        min(case when t.metric = '{{ metric }}' then t.tier_rank end) as {{ metric }}_tier_rank{% if not loop.last %},{% endif %}
        {% endfor %}
    from with_rates as r
    left join tier_thresholds as t
        on {% for metric, value in dora_tiered_metrics().items() %}
        (t.metric = '{{ metric }}' and {{ dora_tier_holds('t', 'r.' ~ value) }}){% if not loop.last %} or{% endif %}
        {% endfor %}
    group by r.grain, r.grain_key, r.period_start
),

with_tiers as (
    select
        r.*,
        {% for metric in dora_tiered_metrics() %}
        t.{{ metric }}_tier_rank{% if not loop.last %},{% endif %}
        {% endfor %}
    from with_rates as r
    inner join tier_ranks as t
        on r.grain = t.grain and r.grain_key = t.grain_key and r.period_start = t.period_start
)

select
    cast({{ dbt.concat(['grain', "':'", 'grain_key', "':'", 'cast(period_start as ' ~ dbt.type_string() ~ ')']) }}
        as {{ dbt.type_string() }}) as period_key,
    cast(grain as {{ dbt.type_string() }}) as grain,
    cast(grain_key as {{ dbt.type_string() }}) as grain_key,
    cast(team as {{ dbt.type_string() }}) as team,
    cast(value_stream as {{ dbt.type_string() }}) as value_stream,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(deployment_count as {{ dbt.type_bigint() }}) as deployment_count,
    cast(deployment_days as {{ dbt.type_bigint() }}) as deployment_days,
    cast(deployments_per_day as {{ type_double() }}) as deployments_per_day,
    cast(change_count as {{ dbt.type_bigint() }}) as change_count,
    cast(lead_time_change_count as {{ dbt.type_bigint() }}) as lead_time_change_count,
    cast(lead_time_median_hours as {{ type_double() }}) as lead_time_median_hours,
    cast(lead_time_p75_hours as {{ type_double() }}) as lead_time_p75_hours,
    cast(lead_time_p90_hours as {{ type_double() }}) as lead_time_p90_hours,
    cast(merged_pull_request_count as {{ dbt.type_bigint() }}) as merged_pull_request_count,
    cast(time_to_merge_median_hours as {{ type_double() }}) as time_to_merge_median_hours,
    cast(failed_deployment_count as {{ dbt.type_bigint() }}) as failed_deployment_count,
    cast(change_failure_rate as {{ type_double() }}) as change_failure_rate,
    cast(recovery_time_median_hours as {{ type_double() }}) as recovery_time_median_hours,
    cast(incident_count as {{ dbt.type_bigint() }}) as incident_count,
    cast(incident_duration_median_hours as {{ type_double() }}) as incident_duration_median_hours,
    cast(unplanned_fix_count as {{ dbt.type_bigint() }}) as unplanned_fix_count,
    cast(rework_rate as {{ type_double() }}) as rework_rate,
    cast({{ var('dora_report_year') }} as {{ dbt.type_int() }}) as report_year,
    cast({{ dora_tier_name('lead_time_hours_tier_rank') }} as {{ dbt.type_string() }}) as lead_time_tier,
    cast({{ dora_tier_name('deployments_per_day_tier_rank') }} as {{ dbt.type_string() }}) as deployment_frequency_tier,
    cast({{ dora_tier_name('change_failure_rate_tier_rank') }} as {{ dbt.type_string() }}) as change_failure_rate_tier,
    cast({{ dora_tier_name('recovery_time_hours_tier_rank') }} as {{ dbt.type_string() }}) as recovery_time_tier,
    cast(recovery_time_deployment_count as {{ dbt.type_bigint() }}) as recovery_time_deployment_count,
    -- a rate or median over fewer events than the minimum swings on one event: marked, never hidden
    deployment_count < {{ var('few_data_minimum') }} as is_few_data,
    recovery_time_deployment_count < {{ var('few_data_minimum') }} as is_few_data_recovery,
    cast(change_failure_rate_delta_pp as {{ type_double() }}) as change_failure_rate_delta_pp,
    cast(rework_rate_delta_pp as {{ type_double() }}) as rework_rate_delta_pp,
    -- medians have their own samples: changes with a lead time, pull requests merged
    lead_time_change_count < {{ var('few_data_minimum') }} as is_few_data_lead_time,
    merged_pull_request_count < {{ var('few_data_minimum') }} as is_few_data_time_to_merge
from with_tiers
{% endmacro %}

{#
    dora_event_sets: the sets of int_dora__metric_events that fct_metric_members lists (the period marts'
    measures each read one of them), by the event_kind each holds.
#}
{% macro dora_event_sets() %}
    {{ return({'deployments': 'deployment', 'changes': 'change', 'incidents': 'incident', 'merges': 'merge'}) }}
{% endmacro %}

{#
    rows_by_grain: every row of `relation` (a CTE or table with team and value_stream) once per grain it
    counts in: its team, its value stream, the organisation; `grain` and `grain_key` say which.
#}
{% macro rows_by_grain(relation) %}
    select 'team' as grain, team as grain_key, {{ relation }}.*
    from {{ relation }} where team is not null
    union all
    select 'value_stream' as grain, value_stream as grain_key, {{ relation }}.*
    from {{ relation }} where value_stream is not null
    union all
    select 'organisation' as grain, 'organisation' as grain_key, {{ relation }}.*
    from {{ relation }}
{% endmacro %}

{#
    dora_tiered_metrics: the metrics of the tier thresholds seed the period marts rate, each with the column
    of the mart whose value it rates.
#}
{% macro dora_tiered_metrics() %}
    {{ return({
        'lead_time_hours': 'lead_time_median_hours',
        'deployments_per_day': 'deployments_per_day',
        'change_failure_rate': 'change_failure_rate',
        'recovery_time_hours': 'recovery_time_median_hours',
    }) }}
{% endmacro %}

{#
    dora_tier_holds: whether the bounds of the thresholds row `thresholds` hold `value` (lower bound included,
    upper bound excluded, as in the reports' "< 1 day" elite and "1 day - 1 week" high lead time); never a
    null value. A value's tier is the best rank (the smallest tier_rank) of the rows that hold it.
#}
{% macro dora_tier_holds(thresholds, value) -%}
    {{ value }} is not null
    and ({{ thresholds }}.lower_bound is null or {{ value }} >= {{ thresholds }}.lower_bound)
    and ({{ thresholds }}.upper_bound is null or {{ value }} < {{ thresholds }}.upper_bound)
{%- endmacro %}

{#- dora_tier_name: the name of a tier rank; null when no thresholds row holds the value. -#}
{% macro dora_tier_name(tier_rank) -%}
    case {{ tier_rank }} when 1 then 'elite' when 2 then 'high' when 3 then 'medium' when 4 then 'low' end
{%- endmacro %}
