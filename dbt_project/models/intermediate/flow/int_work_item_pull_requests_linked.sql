{#
    Pull requests linked to Jira work items: a pull request names an item by its key in its title or in its
    branch name. The first key found in each (var `flow_issue_key_pattern`, matched upper-cased) is joined
    to the issue keys; an equality join keeps this fast on large organisations.
#}
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
        repository,
        pull_number,
        merge_commit_sha,
        created_at,
        merged_at,
        {{ regexp_extract_first("upper(title)", "'" ~ var('flow_issue_key_pattern') ~ "'") }} as title_key,
        {{ regexp_extract_first("upper(head_ref)", "'" ~ var('flow_issue_key_pattern') ~ "'") }} as branch_key
    from pull_requests

),

linked as (

    select
        {{ surrogate_key(['issues.issue_id', 'named_keys.pull_request_id']) }} as work_item_pull_request_id,
        issues.issue_id,
        issues.issue_key,
        named_keys.pull_request_id,
        named_keys.repository,
        named_keys.pull_number,
        named_keys.merge_commit_sha,
        named_keys.created_at as pull_request_created_at,
        named_keys.merged_at as pull_request_merged_at,
        coalesce(named_keys.title_key = upper(issues.issue_key), false) as is_linked_by_title,
        coalesce(named_keys.branch_key = upper(issues.issue_key), false) as is_linked_by_branch
    from named_keys
    inner join issues
        on upper(issues.issue_key) in (named_keys.title_key, named_keys.branch_key)

)

select * from linked
