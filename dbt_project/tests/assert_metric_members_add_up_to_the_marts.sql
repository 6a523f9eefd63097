{#
    Every count of the period marts equals the number of its members in fct_metric_members, in every cell
    (each team, value stream and the organisation; every week and month). A row here is a cell whose
    explanation would not add up.
#}
{% set dora_counts = {
    'deployment_count': 'deployments',
    'change_count': 'changes',
    'lead_time_change_count': 'lead_time_changes',
    'merged_pull_request_count': 'merged_pull_requests',
    'failed_deployment_count': 'failed_deployments',
    'recovery_time_deployment_count': 'recovered_failures',
    'incident_count': 'incidents',
    'unplanned_fix_count': 'unplanned_fixes',
} %}
{% set flow_counts = {'items_done': 'items_done', 'flow_load': 'flow_load', 'items_delivered': 'items_delivered'} %}

with

members as (
    select * from {{ ref('fct_metric_members') }}
),

members_by_grain as (
    {{ rows_by_grain('members') }}
),

{% for period, mart, column in [('week', 'mart_dora__weekly', 'week_start'), ('month', 'mart_dora__monthly', 'month_start')] %}
{{ period }}_member_counts as (
    select grain, grain_key, {{ column }} as period_start, member_set, count(*) as member_count
    from members_by_grain
    where member_set in ({% for s in dora_counts.values() %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by grain, grain_key, {{ column }}, member_set
),

{% for mart_column, member_set in dora_counts.items() %}
{{ period }}_{{ mart_column }}_gaps as (
    select '{{ mart }}' as mart, '{{ mart_column }}' as mart_column, m.period_key as cell,
        m.{{ mart_column }} as mart_value, coalesce(c.member_count, 0) as member_count
    from {{ ref(mart) }} as m
    left join {{ period }}_member_counts as c
        on m.grain = c.grain and m.grain_key = c.grain_key and m.period_start = c.period_start
        and c.member_set = '{{ member_set }}'
    where m.{{ mart_column }} <> coalesce(c.member_count, 0)
),
{% endfor %}
{% endfor %}

flow_member_counts as (
    select team, week_start, member_set, count(*) as member_count
    from members
    where member_set in ('items_done', 'flow_load', 'items_delivered')
    group by team, week_start, member_set
),

{% for mart_column, member_set in flow_counts.items() %}
flow_{{ mart_column }}_gaps as (
    select 'mart_flow__weekly' as mart, '{{ mart_column }}' as mart_column, m.team_week_id as cell,
        m.{{ mart_column }} as mart_value, coalesce(c.member_count, 0) as member_count
    from {{ ref('mart_flow__weekly') }} as m
    left join flow_member_counts as c
        on m.team = c.team and m.week_start = c.week_start and c.member_set = '{{ member_set }}'
    where m.{{ mart_column }} <> coalesce(c.member_count, 0)
),
{% endfor %}

gaps as (
    {% for period in ['week', 'month'] %}{% for mart_column in dora_counts %}
    select * from {{ period }}_{{ mart_column }}_gaps union all
    {% endfor %}{% endfor %}
    {% for mart_column in flow_counts %}
    select * from flow_{{ mart_column }}_gaps{% if not loop.last %} union all{% endif %}
    {% endfor %}
)

select * from gaps
