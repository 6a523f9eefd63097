{#
    The rows the weekly flow metrics count, one row per event kind, work item and week it counts in:
    - done: a work item done (dated by done_at, the start of its final stretch of done statuses) that had
      started, under its owning team;
    - delivered: a work item in production with a delivery lead time, dated by its delivery, under the
      item's team;
    - in_progress: for each team-week, an item started before the week's end and not done or canceled by
      then (flow load), dated by the week's end.
    mart_flow__weekly aggregates these rows and fct_metric_members lists them, so a mart cell and its
    explanation count the same rows. Columns that belong to one kind of event are null on the others.
#}
{%- set null_string = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
{%- set null_double = 'cast(null as ' ~ type_double() ~ ')' -%}

with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

done as (

    select
        'done' as event_kind,
        issue_id,
        team,
        value_stream,
        cast({{ dbt.date_trunc('week', 'done_at') }} as date) as week_start,
        done_at as event_at,
        flow_item,
        flow_time_hours,
        active_hours,
        {{ null_double }} as created_to_production_hours,
        {{ null_double }} as started_to_production_hours,
        {{ null_string }} as delivery_deployment_key,
        source_tool, source_record_id, _source_file, _record_index, _dlt_load_id
    from work_items
    where done_at is not null and started_at is not null

),

delivered as (

    select
        'delivered' as event_kind,
        deliveries.issue_id,
        work_items.team,
        work_items.value_stream,
        cast({{ dbt.date_trunc('week', 'deliveries.delivered_at') }} as date) as week_start,
        deliveries.delivered_at as event_at,
        {{ null_string }} as flow_item,
        {{ null_double }} as flow_time_hours,
        {{ null_double }} as active_hours,
        deliveries.created_to_production_hours,
        deliveries.started_to_production_hours,
        deliveries.delivery_deployment_key,
        deliveries.source_tool, deliveries.source_record_id, deliveries._source_file, deliveries._record_index,
        deliveries._dlt_load_id
    from {{ ref('fct_work_item_deliveries') }} as deliveries
    inner join work_items
        on deliveries.issue_id = work_items.issue_id
    where deliveries.created_to_production_hours is not null

),

in_progress as (

    select
        'in_progress' as event_kind,
        work_items.issue_id,
        team_weeks.team,
        team_weeks.value_stream,
        team_weeks.week_start,
        cast(team_weeks.week_end as {{ dbt.type_timestamp() }}) as event_at,
        {{ null_string }} as flow_item,
        {{ null_double }} as flow_time_hours,
        {{ null_double }} as active_hours,
        {{ null_double }} as created_to_production_hours,
        {{ null_double }} as started_to_production_hours,
        {{ null_string }} as delivery_deployment_key,
        work_items.source_tool, work_items.source_record_id, work_items._source_file, work_items._record_index,
        work_items._dlt_load_id
    from {{ ref('int_flow__team_weeks') }} as team_weeks
    inner join work_items
        on team_weeks.team = work_items.team
        and work_items.started_at < team_weeks.week_end
        and coalesce(work_items.done_at, work_items.canceled_at, team_weeks.week_end) >= team_weeks.week_end

)

select * from done
union all
select * from delivered
union all
select * from in_progress
