{#
    Pull and merge requests of every code host linked to the work items they name. A Jira item is named
    by its key in the request's title or branch (var `flow_issue_key_pattern`); an Azure Boards item by an
    `AB#<id>` mention there (var `flow_azure_boards_mention_pattern`) or by the request's linked work items
    (Azure Repos), within the request's organization. A request may link to many items. Keys are matched
    with equality joins, which keeps this fast on large organisations.
#}
{%- set key_pattern = "'" ~ var('flow_issue_key_pattern') ~ "'" -%}
{%- set mention_pattern = "'" ~ var('flow_azure_boards_mention_pattern') ~ "'" -%}

with

work_items as (

    select * from {{ ref('int_flow__work_items') }}

),

pull_requests as (

    select * from {{ ref('int_dora__pull_requests') }}

),

jira_keys as (

    select
        source_tool,
        pull_request_id,
        'title' as named_in,
        {{ flow_unnest_regexp_matches("upper(title)", key_pattern) }} as named_key
    from pull_requests

    union all

    select
        source_tool,
        pull_request_id,
        'branch' as named_in,
        {{ flow_unnest_regexp_matches("upper(head_ref)", key_pattern) }} as named_key
    from pull_requests

),

azure_boards_mentions as (

    select
        source_tool,
        pull_request_id,
        repository,
        'title' as named_in,
        {{ flow_unnest_regexp_matches("upper(title)", mention_pattern) }} as mention
    from pull_requests

    union all

    select
        source_tool,
        pull_request_id,
        repository,
        'branch' as named_in,
        {{ flow_unnest_regexp_matches("upper(head_ref)", mention_pattern) }} as mention
    from pull_requests

),

azure_repos_work_item_refs as (

    select
        source_tool,
        pull_request_id,
        repository,
        {{ flow_unnest_json_strings('work_item_refs_json', 'work_item_ref', 'work_item_ref_position') }}
    from pull_requests
    where source_tool = 'azure_devops'

),

-- Azure Boards ids hold within an organization: the first part of an Azure Repos repository path.
azure_boards_keys as (

    select
        source_tool,
        pull_request_id,
        named_in,
        {{ azure_devops_work_item_id(dbt.split_part('repository', "'/'", 1), dbt.split_part('mention', "'#'", 2)) }}
            as named_issue_id
    from azure_boards_mentions

    union all

    select
        source_tool,
        pull_request_id,
        'work_item_refs' as named_in,
        {{ azure_devops_work_item_id(dbt.split_part('repository', "'/'", 1), 'work_item_ref') }} as named_issue_id
    from azure_repos_work_item_refs

),

named_items as (

    select jira_keys.source_tool, jira_keys.pull_request_id, jira_keys.named_in, work_items.issue_id
    from jira_keys
    inner join work_items
        on upper(work_items.issue_key) = jira_keys.named_key
        and work_items.source_tool = 'jira'

    union all

    select azure_boards_keys.source_tool, azure_boards_keys.pull_request_id, azure_boards_keys.named_in, work_items.issue_id
    from azure_boards_keys
    inner join work_items
        on work_items.issue_id = azure_boards_keys.named_issue_id

),

-- One row per request and item, however often and wherever the item is named.
pull_request_items as (

    select
        source_tool,
        pull_request_id,
        issue_id,
        max(case when named_in = 'title' then 1 else 0 end) as is_named_in_title,
        max(case when named_in = 'branch' then 1 else 0 end) as is_named_in_branch,
        max(case when named_in = 'work_item_refs' then 1 else 0 end) as is_named_in_work_item_refs
    from named_items
    group by source_tool, pull_request_id, issue_id

),

linked as (

    select
        {{ surrogate_key(['work_items.issue_id', 'pull_requests.source_tool', 'pull_requests.pull_request_id']) }}
            as work_item_pull_request_id,
        work_items.issue_id,
        work_items.issue_key,
        pull_requests.source_tool as pull_request_source_tool,
        pull_requests.pull_request_id,
        pull_requests.repository,
        pull_requests.pull_number,
        pull_requests.landed_sha as merge_commit_sha,
        pull_requests.created_at as pull_request_created_at,
        pull_requests.merged_at as pull_request_merged_at,
        pull_request_items.is_named_in_title = 1 as is_linked_by_title,
        pull_request_items.is_named_in_branch = 1 as is_linked_by_branch,
        pull_request_items.is_named_in_work_item_refs = 1 as is_linked_by_work_item_refs
    from pull_request_items
    inner join work_items
        on pull_request_items.issue_id = work_items.issue_id
    inner join pull_requests
        on pull_request_items.source_tool = pull_requests.source_tool
        and pull_request_items.pull_request_id = pull_requests.pull_request_id

)

select * from linked
