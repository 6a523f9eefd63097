-- A GitLab project no mapping covers could also be mapped through its group: its parent group is listed,
-- with the records of all its unmapped projects.
{%- set parent_group = regexp_extract_first('repository_records.repository', "'^(.*)/[^/]+$'", 1) %}
with

repository_records as (

    select * from {{ ref('int_mappings__repository_record_counts') }}
    where source_tool = 'gitlab'

),

repository_teams as (

    select * from {{ ref('int_dora__repository_teams') }}

),

unmapped_group_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'gitlab_group_team'",
            'mapping_file': "'gitlab_group_teams'",
            'unmapped_value': parent_group,
            'unmapped_value_detail': "'parent group of unmapped GitLab projects'",
            'source_tool': 'repository_records.source_tool',
            'record_model': 'repository_records.record_model',
            'record_model_priority': 'repository_records.record_model_priority',
            'record_id': 'repository_records.record_id',
            'record_count': 'repository_records.record_count',
        }) }}
    from repository_records
    left join repository_teams
        on lower(repository_records.repository) = repository_teams.repository_key
    where repository_teams.team is null
        and {{ parent_group }} is not null

)

{{ mapping_gaps_per_value('unmapped_group_records') }}
