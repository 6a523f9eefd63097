-- Jira projects without a team row (one that names no component) in jira_project_teams, with their issues.
with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

jira_project_teams as (

    select * from {{ ref('jira_project_teams') }}
    where component is null

),

unmapped_project_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'jira_project_team'",
            'mapping_file': "'jira_project_teams'",
            'unmapped_value': 'issues.project_key',
            'unmapped_value_detail': 'issues.project_name',
            'source_tool': "'jira'",
            'display_name': 'issues.project_name',
            'project_key': 'issues.project_key',
            'record_model': "'stg_jira__issues'",
            'record_id': 'issues.issue_id',
        }) }}
    from issues
    left join jira_project_teams
        on issues.project_key = jira_project_teams.project_key
    where jira_project_teams.project_key is null

)

{{ mapping_gaps_per_value('unmapped_project_records') }}
