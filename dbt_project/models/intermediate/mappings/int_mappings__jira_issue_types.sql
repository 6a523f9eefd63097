{#
    Every Jira issue type name seen on an issue with its flow item from the `issue_type_flow_items` seed,
    or unmapped. There is no automatic fallback: the hierarchy level is shown to help whoever adds the row.
#}
with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

issue_type_flow_items as (

    select * from {{ ref('issue_type_flow_items') }}

),

ranked_issues as (

    select
        issue_type,
        lower(trim(issue_type)) as issue_type_key,
        issue_type_hierarchy_level,
        is_subtask,
        issue_id,
        count(*) over (partition by lower(trim(issue_type))) as issue_count,
        row_number() over (partition by lower(trim(issue_type)) order by issue_id) as issue_rank
    from issues

),

issue_types as (

    select
        issue_type_key,
        issue_type,
        issue_type_hierarchy_level,
        is_subtask,
        issue_count,
        issue_id as example_issue_id
    from ranked_issues
    where issue_rank = 1

),

mapped as (

    select
        issue_types.issue_type,
        issue_types.issue_type_hierarchy_level,
        issue_types.is_subtask,
        issue_type_flow_items.flow_item,
        case
            when issue_type_flow_items.issue_type is not null then 'issue_type_flow_items'
            else 'unmapped'
        end as mapping_source,
        issue_types.issue_count,
        issue_types.example_issue_id
    from issue_types
    left join issue_type_flow_items
        on issue_types.issue_type_key = lower(trim(issue_type_flow_items.issue_type))

)

select * from mapped
