{#
    Status, assignee and issue type changes of Jira work items with the issue resolved: changelog pages
    may name the issue by id or by key only.
#}
with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

changelog_items as (

    select * from {{ ref('stg_jira__changelog_items') }}

),

resolved_changelog_items as (

    select
        coalesce(issues_by_id.issue_id, issues_by_key.issue_id) as issue_id,
        changelog_items.created_at,
        changelog_items.history_id,
        changelog_items.item_index,
        changelog_items.field,
        changelog_items.from_string,
        changelog_items.from_value,
        changelog_items.to_string,
        changelog_items.to_value,
        changelog_items.author_account_id
    from changelog_items
    left join issues as issues_by_id
        on changelog_items.issue_id = issues_by_id.issue_id
    left join issues as issues_by_key
        on changelog_items.issue_id is null
        and changelog_items.issue_key = issues_by_key.issue_key
    where lower(changelog_items.field) in ('status', 'assignee', 'issuetype')
        and coalesce(issues_by_id.issue_id, issues_by_key.issue_id) is not null

)

select * from resolved_changelog_items
