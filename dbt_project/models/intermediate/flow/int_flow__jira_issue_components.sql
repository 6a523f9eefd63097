-- One row per Jira issue and component it carries, in the issue's order. Both the owning team of an issue
-- (int_flow__work_items) and the components no team owns (int_mappings__gaps_jira_components) read it.
with

jira_issues as (

    select * from {{ ref('stg_jira__issues') }}

),

jira_issue_components as (

    select
        issue_id,
        project_key,
        {{ flow_unnest_json_strings('components_json', 'component', 'component_position') }}
    from jira_issues

)

select * from jira_issue_components
