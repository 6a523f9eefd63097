-- Components matter only in projects whose team rows name components: there, an issue none of whose
-- components a team owns falls back on its project's team, and each of its components is a gap.
with

jira_issue_components as (

    select * from {{ ref('int_flow__jira_issue_components') }}

),

work_items as (

    select * from {{ ref('int_flow__work_items') }}

),

component_teams as (

    select * from {{ ref('jira_project_teams') }}
    where component is not null

),

component_projects as (

    select distinct project_key
    from component_teams

),

unmapped_component_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'jira_component_team'",
            'mapping_file': "'jira_project_teams'",
            'unmapped_value': dbt.concat(["jira_issue_components.project_key", "' '", "jira_issue_components.component"]),
            'unmapped_value_detail': "'component of project ' || jira_issue_components.project_key",
            'fallback_used': "case
                when work_items.owning_team_source = 'project' then 'the project''s team'
                else 'none: the project has no team either'
            end",
            'source_tool': "'jira'",
            'project_key': 'jira_issue_components.project_key',
            'component': 'jira_issue_components.component',
            'record_model': "'stg_jira__issues'",
            'record_id': 'jira_issue_components.issue_id',
        }) }}
    from jira_issue_components
    inner join component_projects
        on jira_issue_components.project_key = component_projects.project_key
    inner join work_items
        on jira_issue_components.issue_id = work_items.issue_id
    left join component_teams
        on jira_issue_components.project_key = component_teams.project_key
        and lower(jira_issue_components.component) = lower(component_teams.component)
    where component_teams.project_key is null
        and coalesce(work_items.owning_team_source, 'none') != 'component'

)

{{ mapping_gaps_per_value('unmapped_component_records') }}
