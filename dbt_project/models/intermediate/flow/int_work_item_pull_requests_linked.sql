{#
    Pull requests linked to Jira work items: a pull request names an item by its key in its title or in its
    branch name. Every key found in either (var `flow_issue_key_pattern`, matched upper-cased) is joined to
    the issue keys; an equality join keeps this fast on large organisations.
#}
{%- set key_pattern = "'" ~ var('flow_issue_key_pattern') ~ "'" -%}

with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

pull_requests as (

    select * from {{ ref('stg_github__pull_requests') }}

),

named_keys as (

    select
        pull_request_id,
        'title' as named_in,
        {{ flow_unnest_regexp_matches("upper(title)", key_pattern) }} as named_key
    from pull_requests

    union all

    select
        pull_request_id,
        'branch' as named_in,
        {{ flow_unnest_regexp_matches("upper(head_ref)", key_pattern) }} as named_key
    from pull_requests

),

-- One row per pull request and key, however often and wherever it is named.
pull_request_keys as (

    select
        pull_request_id,
        named_key,
        max(case when named_in = 'title' then 1 else 0 end) as is_named_in_title,
        max(case when named_in = 'branch' then 1 else 0 end) as is_named_in_branch
    from named_keys
    group by pull_request_id, named_key

),

linked as (

    select
        {{ surrogate_key(['issues.issue_id', 'pull_requests.pull_request_id']) }} as work_item_pull_request_id,
        issues.issue_id,
        issues.issue_key,
        pull_requests.pull_request_id,
        pull_requests.repository,
        pull_requests.pull_number,
        pull_requests.merge_commit_sha,
        pull_requests.created_at as pull_request_created_at,
        pull_requests.merged_at as pull_request_merged_at,
        pull_request_keys.is_named_in_title = 1 as is_linked_by_title,
        pull_request_keys.is_named_in_branch = 1 as is_linked_by_branch
    from pull_request_keys
    inner join issues
        on upper(issues.issue_key) = pull_request_keys.named_key
    inner join pull_requests
        on pull_request_keys.pull_request_id = pull_requests.pull_request_id

)

select * from linked
