-- Repositories no repository_teams row maps (a GitLab project may also be mapped by its group,
-- gitlab_group_teams), with the records of every model that names them.
with

repository_records as (

    select * from {{ ref('int_mappings__repository_record_counts') }}

),

repository_teams as (

    select * from {{ ref('int_dora__repository_teams') }}

),

unmapped_repository_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'repository_team'",
            'mapping_file': "'repository_teams'",
            'unmapped_value': 'repository_records.repository',
            'unmapped_value_detail': "case when repository_records.repository = '" ~ dora_no_value_named()
                ~ "' then 'the record names no repository (repository.name and repository.id empty)' end",
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

)

{{ mapping_gaps_per_value('unmapped_repository_records') }}
