-- PagerDuty services missing from pagerduty_service_teams, with their incidents.
with

incidents as (

    select * from {{ ref('stg_pagerduty__incidents') }}

),

pagerduty_service_teams as (

    select * from {{ ref('pagerduty_service_teams') }}

),

unmapped_service_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'pagerduty_service_team'",
            'mapping_file': "'pagerduty_service_teams'",
            'unmapped_value': 'incidents.service_id',
            'unmapped_value_detail': 'incidents.service_summary',
            'source_tool': "'pagerduty'",
            'display_name': 'incidents.service_summary',
            'record_model': "'stg_pagerduty__incidents'",
            'record_id': 'incidents.incident_id',
        }) }}
    from incidents
    left join pagerduty_service_teams
        on incidents.service_id = pagerduty_service_teams.service_id
    where pagerduty_service_teams.service_id is null

)

{{ mapping_gaps_per_value('unmapped_service_records') }}
