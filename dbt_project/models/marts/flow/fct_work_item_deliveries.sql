{#
    Work items linked to pull requests, with the production deployment that shipped the last of their
    merged pull requests: product delivery lead time, from created (and from started) to in production.
    Each merged pull request is a change of fct_changes, deployed by the first successful production
    deployment whose commit contains its merge commit (commit ancestry). An item is in production once
    every merged linked pull request is deployed; pull requests never merged do not hold it back.
#}
with

linked_pull_requests as (

    select * from {{ ref('int_flow__work_item_pull_requests_linked') }}

),

changes as (

    select * from {{ ref('fct_changes') }}
    where change_type = 'pull_request'

),

work_items as (

    select * from {{ ref('fct_work_items') }}

),

linked_changes as (

    select
        linked_pull_requests.issue_id,
        linked_pull_requests.issue_key,
        linked_pull_requests.pull_request_id,
        linked_pull_requests.pull_request_merged_at,
        changes.deployment_key,
        changes.deployed_at,
        changes.is_baseline,
        changes.repository
    from linked_pull_requests
    left join changes
        on linked_pull_requests.repository = changes.repository
        and linked_pull_requests.pull_number = changes.pull_number

),

pull_request_summaries as (

    select
        issue_id,
        max(issue_key) as issue_key,
        count(*) as linked_pull_request_count,
        sum(case when pull_request_merged_at is not null then 1 else 0 end) as merged_pull_request_count,
        sum(case when pull_request_merged_at is not null and deployment_key is not null then 1 else 0 end)
            as deployed_pull_request_count,
        max(pull_request_merged_at) as last_merged_at
    from linked_changes
    group by issue_id

),

-- The deployment that shipped the last of the item's pull requests (ties: the higher key).
last_deployments as (

    select
        issue_id,
        deployment_key,
        deployed_at,
        is_baseline,
        repository,
        row_number() over (
            partition by issue_id
            order by deployed_at desc, deployment_key desc
        ) as deployment_rank
    from linked_changes
    where pull_request_merged_at is not null and deployment_key is not null

),

deliveries as (

    select
        pull_request_summaries.issue_id,
        pull_request_summaries.issue_key,
        pull_request_summaries.linked_pull_request_count,
        pull_request_summaries.merged_pull_request_count,
        pull_request_summaries.deployed_pull_request_count,
        pull_request_summaries.last_merged_at,
        pull_request_summaries.merged_pull_request_count > 0
            and pull_request_summaries.deployed_pull_request_count = pull_request_summaries.merged_pull_request_count
            as is_in_production,
        last_deployments.deployment_key,
        last_deployments.repository,
        last_deployments.deployed_at,
        coalesce(last_deployments.is_baseline, false) as is_baseline,
        work_items.created_at,
        work_items.started_at
    from pull_request_summaries
    inner join work_items
        on pull_request_summaries.issue_id = work_items.issue_id
    left join last_deployments
        on pull_request_summaries.issue_id = last_deployments.issue_id
        and last_deployments.deployment_rank = 1

),

spans as (

    select
        *,
        case when is_in_production then deployment_key end as delivery_deployment_key,
        case when is_in_production then repository end as delivery_repository,
        case when is_in_production then deployed_at end as delivered_at,
        case
            when is_in_production and not is_baseline
                then {{ hours_between('created_at', 'deployed_at') }}
        end as created_span_hours,
        case
            when is_in_production and not is_baseline
                then {{ hours_between('started_at', 'deployed_at') }}
        end as started_span_hours
    from deliveries

),

final as (

    select
        issue_id,
        issue_key,
        cast(linked_pull_request_count as {{ dbt.type_int() }}) as linked_pull_request_count,
        cast(merged_pull_request_count as {{ dbt.type_int() }}) as merged_pull_request_count,
        cast(deployed_pull_request_count as {{ dbt.type_int() }}) as deployed_pull_request_count,
        last_merged_at,
        is_in_production,
        delivery_deployment_key,
        delivery_repository,
        delivered_at,
        is_in_production and is_baseline as is_baseline_delivery,
        created_at,
        started_at,
        -- A span that comes out negative (item filed after the code shipped) is not a lead time.
        cast(case when created_span_hours >= 0 then created_span_hours end as {{ type_double() }})
            as created_to_production_hours,
        cast(case when started_span_hours >= 0 then started_span_hours end as {{ type_double() }})
            as started_to_production_hours,
        {{ fact_lineage_columns('issue_records') }}
    from spans
    left join {{ work_item_records() }} as issue_records
        on spans.issue_id = issue_records.record_issue_id

)

select * from final
