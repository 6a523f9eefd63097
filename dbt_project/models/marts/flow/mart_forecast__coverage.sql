{#
    One row per mart of the forecasts, aging work in progress and bottleneck finder: its rows, and when it
    is empty, why, from the work items behind it (an empty mart is an answer only with its reason: no work
    item, none in flow, no status mapped to waiting or active, no backlog left, no epic with a due date).
#}
with

work_items as (

    select * from {{ ref('fct_work_items') }}

),

intervals as (

    select * from {{ ref('int_flow__work_item_status_intervals') }}

),

facts as (

    select
        (select count(*) from work_items) as work_item_count,
        (select count(*) from work_items where current_flow_state in ('waiting', 'active')) as in_flow_now_count,
        (select count(*) from work_items where started_at is not null) as ever_in_flow_count,
        (select count(distinct status_name) from intervals where flow_state is null) as unmapped_status_count,
        (select count(*) from {{ ref('mart_epic_forecast__weekly') }} where due_date is not null) as due_epic_week_count

),

marts as (

    select 'mart_backlog_forecast' as mart_name, count(*) as row_count from {{ ref('mart_backlog_forecast') }}
    union all
    select 'mart_epic_forecast__weekly', count(*) from {{ ref('mart_epic_forecast__weekly') }}
    where forecast_trials is not null
    union all
    select 'mart_aging_wip', count(*) from {{ ref('mart_aging_wip') }}
    union all
    select 'mart_bottlenecks__weekly', count(*) from {{ ref('mart_bottlenecks__weekly') }}

),

-- Said first when it holds: no item at all, or none ever in a waiting or active status.
flow_reason as (

    select
        case
            when work_item_count = 0 then 'no work item is loaded (Jira, Azure Boards)'
            when ever_in_flow_count = 0 and unmapped_status_count > 0
                then 'no work item was ever in a status mapped to waiting or active; '
                    || cast(unmapped_status_count as {{ dbt.type_string() }})
                    || ' statuses are mapped to no flow state (status_phases, mart_data_quality__mapping_gaps)'
            when ever_in_flow_count = 0
                then 'none of the ' || cast(work_item_count as {{ dbt.type_string() }})
                    || ' work items was ever in a waiting or active status'
        end as reason,
        facts.*
    from facts

)

select
    cast(marts.mart_name as {{ dbt.type_string() }}) as mart_name,
    cast(marts.row_count as {{ dbt.type_bigint() }}) as row_count,
    cast(
        case
            when marts.row_count > 0 then null
            when flow_reason.reason is not null then flow_reason.reason
            when marts.mart_name = 'mart_aging_wip'
                then 'none of the ' || cast(flow_reason.work_item_count as {{ dbt.type_string() }})
                    || ' work items is in a waiting or active status now'
            when marts.mart_name = 'mart_backlog_forecast'
                then 'no team or value stream has items left (every item is done or canceled)'
            when marts.mart_name = 'mart_epic_forecast__weekly' and flow_reason.due_epic_week_count = 0
                then 'no epic has a due date'
            when marts.mart_name = 'mart_epic_forecast__weekly'
                then 'no epic with a due date has items left in a week'
            else 'no work item was in a waiting or active status in a week with a value stream'
        end as {{ dbt.type_string() }}
    ) as empty_reason
from marts
cross join flow_reason
