{#
    flow_metric_events: the rows each weekly flow metric counts, as CTEs. mart_flow__weekly aggregates them
    and fct_metric_members lists them, so a mart cell and its explanation can never count different rows.
    - team_weeks: every team and week (Monday, UTC) from the first start to the as-of time: the teams of
      the teams seed, and any other team an item counts under (`unmapped`, or a team a mapping seed
      names that the teams seed lacks), so that no item is dropped;
    - done_items: work items done (dated by done_at, the start of their final stretch of done statuses)
      that had started, under their owning team;
    - delivered_items: work items in production with a delivery lead time, dated by their delivery,
      under the item's team;
    - load_items: for each team-week, the items started before the week's end and not done or canceled by
      then.
#}
{% macro flow_metric_events() %}
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

),

team_weeks as (

    select
        weeks.week_start,
        {{ dbt.dateadd('day', 7, 'weeks.week_start') }} as week_end,
        flow_teams.team,
        {{ value_stream_or_unmapped('flow_teams.value_stream') }} as value_stream
    from weeks
    cross join flow_teams

),

done_items as (

    select
        *,
        cast({{ dbt.date_trunc('week', 'done_at') }} as date) as done_week
    from work_items
    where done_at is not null and started_at is not null

),

delivered_items as (

    select
        deliveries.*,
        work_items.team,
        work_items.value_stream,
        cast({{ dbt.date_trunc('week', 'deliveries.delivered_at') }} as date) as delivered_week
    from {{ ref('fct_work_item_deliveries') }} as deliveries
    inner join work_items
        on deliveries.issue_id = work_items.issue_id
    where deliveries.created_to_production_hours is not null

),

load_items as (

    select
        team_weeks.team,
        team_weeks.value_stream,
        team_weeks.week_start,
        team_weeks.week_end,
        work_items.issue_id,
        work_items.current_flow_state,
        work_items.started_at,
        work_items.source_tool,
        work_items.source_record_id,
        work_items._source_file,
        work_items._record_index,
        work_items._dlt_load_id
    from team_weeks
    inner join work_items
        on team_weeks.team = work_items.team
        and work_items.started_at < team_weeks.week_end
        and coalesce(work_items.done_at, work_items.canceled_at, team_weeks.week_end) >= team_weeks.week_end

)
{% endmacro %}
