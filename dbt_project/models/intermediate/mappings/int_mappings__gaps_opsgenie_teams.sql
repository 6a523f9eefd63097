-- Opsgenie teams missing from opsgenie_team_teams, with their incidents. An incident's team is its owner
-- team, else its first team responder; one that names neither is reported with the record that lacks it.
with

opsgenie_incidents as (

    select * from {{ ref('stg_opsgenie__incidents') }}

),

opsgenie_team_teams as (

    select * from {{ ref('opsgenie_team_teams') }}

),

unmapped_opsgenie_team_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'opsgenie_team_team'",
            'mapping_file': "'opsgenie_team_teams'",
            'unmapped_value': "coalesce(opsgenie_incidents.team_id, '" ~ dora_no_value_named() ~ "')",
            'unmapped_value_detail': "case
                when opsgenie_incidents.team_id is null
                    then 'the incident has no ownerTeam and no responder of type team'
                when opsgenie_incidents.team_id_source = 'responders'
                    then 'team responder (ownerTeam empty)'
            end",
            'source_tool': "'opsgenie'",
            'record_model': "'stg_opsgenie__incidents'",
            'record_id': 'opsgenie_incidents.incident_id',
        }) }}
    from opsgenie_incidents
    left join opsgenie_team_teams
        on opsgenie_incidents.team_id = opsgenie_team_teams.opsgenie_team_id
    where opsgenie_team_teams.opsgenie_team_id is null

)

{{ mapping_gaps_per_value('unmapped_opsgenie_team_records') }}
