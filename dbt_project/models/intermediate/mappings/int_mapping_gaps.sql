{#
    What the mapping seeds do not cover. Unmapped records stay in every model; this lists them so that
    someone can add the missing seed rows. Besides the value itself, each row carries the key columns of the
    mapping file it belongs in (organization, project_key, component, area_path, status_id) and what helps
    recognise it (tool, display name, Jira status category), so that `delivery mappings gaps` can write rows
    ready to fill in.
#}
{%- set no_text = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
with

repository_teams as (

    select * from {{ ref('int_repository_teams') }}

),

jira_project_teams as (

    select * from {{ ref('jira_project_teams') }}

),

pagerduty_service_teams as (

    select * from {{ ref('pagerduty_service_teams') }}

),

jira_statuses as (

    select * from {{ ref('int_jira_statuses_mapped') }}

),

jira_issue_types as (

    select * from {{ ref('int_jira_issue_types_mapped') }}

),

azure_devops_states as (

    select * from {{ ref('int_azure_devops_states_mapped') }}

),

azure_devops_work_items as (

    select * from {{ ref('int_work_items') }}
    where source_tool = 'azure_devops'

),

issue_type_flow_items as (

    select * from {{ ref('issue_type_flow_items') }}

),

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

incidents as (

    select * from {{ ref('stg_pagerduty__incidents') }}

),

opsgenie_incidents as (

    select * from {{ ref('stg_opsgenie__incidents') }}

),

opsgenie_team_teams as (

    select * from {{ ref('opsgenie_team_teams') }}

),

-- The GitHub, GitLab, Azure DevOps and Jenkins records of each repository and model; models listed first give
-- the preferred example.
repository_records as (

    {%- set repository_models = [
        ('stg_github__pull_requests', 'repository', 'pull_request_id'),
        ('stg_github__deployments', 'repository', 'deployment_id'),
        ('stg_github__workflow_runs', 'repository', 'workflow_run_attempt_id'),
        ('stg_github__deployment_statuses', 'repository', 'deployment_status_id'),
        ('stg_github__pull_request_reviews', 'repository', 'review_id'),
        ('stg_github__pull_request_commits', 'repository', 'pull_request_commit_id'),
        ('stg_github__commits', 'repository', 'commit_id'),
        ('stg_github__commit_parents', 'repository', 'commit_parent_id'),
        ('stg_gitlab__merge_requests', 'project_path', 'merge_request_id'),
        ('stg_gitlab__deployments', 'project_path', 'deployment_id'),
        ('stg_gitlab__pipelines', 'project_path', 'pipeline_id'),
        ('stg_gitlab__merge_request_reviews', 'project_path', 'note_id'),
        ('stg_gitlab__merge_request_commits', 'project_path', 'merge_request_commit_id'),
        ('stg_gitlab__commits', 'project_path', 'commit_id'),
        ('stg_gitlab__commit_parents', 'project_path', 'commit_parent_id'),
        ('stg_azure_devops__pull_requests', dbt.concat(["organization", "'/'", "project", "'/'", "repository_name"]),
            'pull_request_key'),
        ('stg_azure_devops__builds', "coalesce(repository, '" ~ dora_no_value_named() ~ "')", 'build_key'),
    ] %}
    {#- Counted per repository first: the join to the mapping and the ranking below then see a few rows per
        repository instead of every record of the history. `record_id` is each group's first record. #}
    {% for model_name, repository, primary_key in repository_models %}
    select
        {{ repository }} as repository,
        '{{ model_name.split('__')[0][4:] }}' as source_tool,
        '{{ model_name }}' as record_model,
        {{ loop.index }} as record_model_priority,
        count(*) as record_count,
        min(cast({{ primary_key }} as {{ dbt.type_string() }})) as record_id
    from {{ ref(model_name) }}
    group by {{ repository }}
    union all
    {% endfor %}
    -- Jenkins builds that a deployment rule makes deployments of the repository it names
    select
        repository,
        'jenkins' as source_tool,
        'int_dora__deployment_attempts' as record_model,
        {{ repository_models | length + 1 }} as record_model_priority,
        count(*) as record_count,
        min(deployment_key) as record_id
    from {{ ref('int_dora__deployment_attempts') }}
    where deployment_source = 'jenkins_build'
    group by repository

),

-- a GitLab project is mapped by repository_teams or by the group fallback (gitlab_group_teams)
unmapped_repository_records as (

    select
        'repository_team' as mapping_kind,
        repository_records.repository as unmapped_value,
        case
            when repository_records.repository = '{{ dora_no_value_named() }}'
                then 'the record names no repository (repository.name and repository.id empty)'
        end as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        repository_records.source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        repository_records.record_model,
        repository_records.record_model_priority,
        repository_records.record_id,
        repository_records.record_count
    from repository_records
    left join repository_teams
        on lower(repository_records.repository) = repository_teams.repository_key
    where repository_teams.team is null

),

unmapped_project_records as (

    select
        'jira_project_team' as mapping_kind,
        issues.project_key as unmapped_value,
        issues.project_name as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'jira' as source_tool,
        issues.project_name as display_name,
        {{ no_text }} as organization,
        issues.project_key as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'stg_jira__issues' as record_model,
        1 as record_model_priority,
        issues.issue_id as record_id,
        1 as record_count
    from issues
    left join jira_project_teams
        on issues.project_key = jira_project_teams.project_key
        and jira_project_teams.component is null
    where jira_project_teams.project_key is null

),

unmapped_service_records as (

    select
        'pagerduty_service_team' as mapping_kind,
        incidents.service_id as unmapped_value,
        incidents.service_summary as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'pagerduty' as source_tool,
        incidents.service_summary as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'stg_pagerduty__incidents' as record_model,
        1 as record_model_priority,
        incidents.incident_id as record_id,
        1 as record_count
    from incidents
    left join pagerduty_service_teams
        on incidents.service_id = pagerduty_service_teams.service_id
    where pagerduty_service_teams.service_id is null

),

-- an incident's team is its owner team, else its first team responder; one that names neither is reported
-- with the record that lacks it
unmapped_opsgenie_team_records as (

    select
        'opsgenie_team_team' as mapping_kind,
        coalesce(opsgenie_incidents.team_id, '{{ dora_no_value_named() }}') as unmapped_value,
        case
            when opsgenie_incidents.team_id is null
                then 'the incident has no ownerTeam and no responder of type team'
            when opsgenie_incidents.team_id_source = 'responders'
                then 'team responder (ownerTeam empty)'
        end as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'opsgenie' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'stg_opsgenie__incidents' as record_model,
        1 as record_model_priority,
        opsgenie_incidents.incident_id as record_id,
        1 as record_count
    from opsgenie_incidents
    left join opsgenie_team_teams
        on opsgenie_incidents.team_id = opsgenie_team_teams.opsgenie_team_id
    where opsgenie_team_teams.opsgenie_team_id is null

),

jenkins_builds as (

    select * from {{ ref('stg_jenkins__builds') }}

),

-- builds of jobs named like deploy jobs that no jenkins_deployment_rules row covers: likely missed deployments
jenkins_ruled_builds as (

    select distinct jenkins_builds.build_key
    from jenkins_builds
    inner join {{ ref('jenkins_deployment_rules') }} as rules
        on lower(jenkins_builds.controller) = lower(rules.controller)
        and {{ dora_regexp_matches('jenkins_builds.job_path', 'rules.job_path_pattern') }}

),

unmapped_jenkins_job_records as (

    select
        'jenkins_deployment_rule' as mapping_kind,
        {{ dbt.concat(["jenkins_builds.controller", "'/'", "jenkins_builds.job_path"]) }} as unmapped_value,
        cast(null as {{ dbt.type_string() }}) as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'jenkins' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'stg_jenkins__builds' as record_model,
        1 as record_model_priority,
        jenkins_builds.build_key as record_id,
        1 as record_count
    from jenkins_builds
    left join jenkins_ruled_builds
        on jenkins_builds.build_key = jenkins_ruled_builds.build_key
    where jenkins_ruled_builds.build_key is null
        and {{ dora_regexp_matches('jenkins_builds.job_path', "'deploy'") }}

),

-- Azure Boards items outside every mapped area path: they belong to a team only through their assignee.
unmapped_area_records as (

    select
        'azure_devops_area_team' as mapping_kind,
        {{ dbt.concat(["azure_devops_work_items.project_key", "' '", "stg_work_items.area_path"]) }}
            as unmapped_value,
        stg_work_items.organization as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'azure_devops' as source_tool,
        {{ no_text }} as display_name,
        stg_work_items.organization as organization,
        stg_work_items.project as project_key,
        {{ no_text }} as component,
        stg_work_items.area_path as area_path,
        'int_work_items' as record_model,
        1 as record_model_priority,
        azure_devops_work_items.issue_id as record_id,
        1 as record_count
    from azure_devops_work_items
    inner join {{ ref('stg_azure_devops__work_items') }} as stg_work_items
        on azure_devops_work_items.issue_id
            = {{ azure_devops_work_item_id('stg_work_items.organization', 'stg_work_items.work_item_id') }}
    where azure_devops_work_items.owning_team is null

),

unmapped_work_item_type_records as (

    select
        'work_item_type_flow_item' as mapping_kind,
        azure_devops_work_items.issue_type as unmapped_value,
        'Azure Boards work item type' as unmapped_value_detail,
        'none: flow item unknown' as fallback_used,
        'azure_devops' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'int_work_items' as record_model,
        1 as record_model_priority,
        azure_devops_work_items.issue_id as record_id,
        1 as record_count
    from azure_devops_work_items
    left join issue_type_flow_items
        on lower(trim(azure_devops_work_items.issue_type)) = lower(trim(issue_type_flow_items.issue_type))
    where issue_type_flow_items.issue_type is null

),

-- A GitLab project no mapping covers could also be mapped through its group: its parent group is listed too,
-- with the records of all its unmapped projects.
unmapped_gitlab_group_records as (

    select
        'gitlab_group_team' as mapping_kind,
        {{ regexp_extract_first('unmapped_value', "'^(.*)/[^/]+$'", 1) }} as unmapped_value,
        'parent group of unmapped GitLab projects' as unmapped_value_detail,
        fallback_used,
        source_tool,
        display_name,
        organization,
        project_key,
        component,
        area_path,
        record_model,
        record_model_priority,
        record_id,
        record_count
    from unmapped_repository_records
    where source_tool = 'gitlab'
        and {{ regexp_extract_first('unmapped_value', "'^(.*)/[^/]+$'", 1) }} is not null

),

work_items as (

    select * from {{ ref('int_work_items') }}

),

-- Components matter only in projects whose team rows name components: there, an issue none of whose
-- components a team owns falls back on its project's team, and each of its components is a gap.
component_projects as (

    select distinct project_key
    from jira_project_teams
    where component is not null

),

jira_issue_components as (

    select
        issue_id,
        project_key,
        {{ flow_unnest_json_strings('components_json', 'component', 'component_position') }}
    from issues

),

unmapped_component_records as (

    select
        'jira_component_team' as mapping_kind,
        {{ dbt.concat(["jira_issue_components.project_key", "' '", "jira_issue_components.component"]) }}
            as unmapped_value,
        'component of project ' || jira_issue_components.project_key as unmapped_value_detail,
        case
            when work_items.owning_team_source = 'project' then 'the project''s team'
            else 'none: the project has no team either'
        end as fallback_used,
        'jira' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        jira_issue_components.project_key,
        jira_issue_components.component,
        {{ no_text }} as area_path,
        'stg_jira__issues' as record_model,
        1 as record_model_priority,
        jira_issue_components.issue_id as record_id,
        1 as record_count
    from jira_issue_components
    inner join component_projects
        on jira_issue_components.project_key = component_projects.project_key
    inner join work_items
        on jira_issue_components.issue_id = work_items.issue_id
    left join jira_project_teams as component_teams
        on jira_issue_components.project_key = component_teams.project_key
        and lower(jira_issue_components.component) = lower(component_teams.component)
    where component_teams.project_key is null
        and coalesce(work_items.owning_team_source, 'none') != 'component'

),

-- An assignee missing from flow_people_teams: the items they held are held by the item's owning team.
unheld_assignments as (

    select distinct issue_id, assignee_account_id
    from {{ ref('int_work_item_assignee_intervals') }}
    where team_source != 'assignee' and assignee_account_id is not null

),

-- The name a person is shown with: as the current assignee of an item if ever, else in an assignee change.
person_name_candidates as (

    select assignee_account_id as account_id, assignee_display_name as display_name, 1 as name_priority
    from issues
    where assignee_account_id is not null and assignee_display_name is not null

    union all

    select assigned_to_id, assigned_to_display_name, 1
    from {{ ref('stg_azure_devops__work_items') }}
    where assigned_to_id is not null and assigned_to_display_name is not null

    union all

    select from_value, from_string, 2
    from {{ ref('int_work_item_changes') }}
    where field = 'assignee' and from_value is not null and from_string is not null

    union all

    select to_value, to_string, 2
    from {{ ref('int_work_item_changes') }}
    where field = 'assignee' and to_value is not null and to_string is not null

),

person_names as (

    select account_id, min(display_name) as display_name
    from (
        select
            *,
            min(name_priority) over (partition by account_id) as best_priority
        from person_name_candidates
        -- only the unmapped few need a name
        where account_id in (select assignee_account_id from unheld_assignments)
    ) as candidates
    where name_priority = best_priority
    group by account_id

),

unmapped_person_records as (

    select
        'person_team' as mapping_kind,
        unheld_assignments.assignee_account_id as unmapped_value,
        person_names.display_name as unmapped_value_detail,
        'the owning team of each work item holds it meanwhile (else unmapped)' as fallback_used,
        work_items.source_tool,
        person_names.display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        'int_work_items' as record_model,
        1 as record_model_priority,
        unheld_assignments.issue_id as record_id,
        1 as record_count
    from unheld_assignments
    inner join work_items
        on unheld_assignments.issue_id = work_items.issue_id
    left join person_names
        on unheld_assignments.assignee_account_id = person_names.account_id

),

record_gaps as (

    select * from unmapped_area_records
    union all
    select * from unmapped_work_item_type_records
    union all
    select * from unmapped_repository_records
    union all
    select * from unmapped_project_records
    union all
    select * from unmapped_service_records
    union all
    select * from unmapped_opsgenie_team_records
    union all
    select * from unmapped_jenkins_job_records
    union all
    select * from unmapped_gitlab_group_records
    union all
    select * from unmapped_component_records
    union all
    select * from unmapped_person_records

),

ranked_record_gaps as (

    select
        *,
        sum(record_count) over (partition by mapping_kind, unmapped_value) as records_affected,
        row_number() over (
            partition by mapping_kind, unmapped_value
            order by record_model_priority, record_id
        ) as example_rank,
        -- Details can differ between records (a renamed service): show one, the same on every run.
        max(unmapped_value_detail) over (partition by mapping_kind, unmapped_value) as value_detail,
        max(display_name) over (partition by mapping_kind, unmapped_value) as value_display_name
    from record_gaps

),

aggregated_record_gaps as (

    select
        mapping_kind,
        unmapped_value,
        value_detail as unmapped_value_detail,
        fallback_used,
        records_affected,
        record_model as example_record_model,
        record_id as example_record_id,
        source_tool,
        value_display_name as display_name,
        organization,
        project_key,
        component,
        area_path,
        {{ no_text }} as status_id,
        {{ no_text }} as jira_status_category
    from ranked_record_gaps
    where example_rank = 1

),

status_gaps as (

    select
        'status_phase' as mapping_kind,
        status_name as unmapped_value,
        case when status_id is not null then 'status id ' || status_id end as unmapped_value_detail,
        case
            when mapping_source = 'status_category_fallbacks'
                then 'statusCategory.key ' || status_category_key
                    || ' -> delivery_phase ' || delivery_phase
                    || ', flow_state ' || flow_state
                    || case
                        when status_category_found_by = 'status_id'
                            then ' (category of status id ' || status_id || ')'
                        when status_category_count > 1
                            then ' (most common of '
                                || cast(status_category_count as {{ dbt.type_string() }})
                                || ' categories seen)'
                        else ''
                    end
            else 'none: no statusCategory known for this name'
        end as fallback_used,
        occurrence_count as records_affected,
        example_record_model,
        example_record_id,
        'jira' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        status_id as status_id,
        status_category_key as jira_status_category
    from jira_statuses
    where mapping_source != 'status_phases'

),

issue_type_gaps as (

    select
        'issue_type_flow_item' as mapping_kind,
        issue_type as unmapped_value,
        'hierarchyLevel '
            || coalesce(cast(issue_type_hierarchy_level as {{ dbt.type_string() }}), 'unknown')
            as unmapped_value_detail,
        'none: flow item unknown' as fallback_used,
        issue_count as records_affected,
        'stg_jira__issues' as example_record_model,
        example_issue_id as example_record_id,
        'jira' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        {{ no_text }} as status_id,
        {{ no_text }} as jira_status_category
    from jira_issue_types
    where mapping_source = 'unmapped'

),

azure_devops_state_gaps as (

    select
        'azure_devops_state_phase' as mapping_kind,
        state_name as unmapped_value,
        cast(null as {{ dbt.type_string() }}) as unmapped_value_detail,
        'none: Azure Boards states have no category to fall back on' as fallback_used,
        occurrence_count as records_affected,
        example_record_model,
        example_record_id,
        'azure_devops' as source_tool,
        {{ no_text }} as display_name,
        {{ no_text }} as organization,
        {{ no_text }} as project_key,
        {{ no_text }} as component,
        {{ no_text }} as area_path,
        {{ no_text }} as status_id,
        {{ no_text }} as jira_status_category
    from azure_devops_states
    where mapping_source = 'unmapped'

),

gaps as (

    select * from azure_devops_state_gaps
    union all
    select * from aggregated_record_gaps
    union all
    select * from status_gaps
    union all
    select * from issue_type_gaps

),

final as (

    select
        {{ surrogate_key(['mapping_kind', 'unmapped_value']) }} as mapping_gap_id,
        mapping_kind,
        unmapped_value,
        unmapped_value_detail,
        fallback_used,
        cast(records_affected as {{ dbt.type_bigint() }}) as records_affected,
        example_record_model,
        example_record_id,
        case mapping_kind
            when 'repository_team' then 'repository_teams'
            when 'gitlab_group_team' then 'gitlab_group_teams'
            when 'jira_project_team' then 'jira_project_teams'
            when 'jira_component_team' then 'jira_project_teams'
            when 'pagerduty_service_team' then 'pagerduty_service_teams'
            when 'opsgenie_team_team' then 'opsgenie_team_teams'
            when 'jenkins_deployment_rule' then 'jenkins_deployment_rules'
            when 'azure_devops_area_team' then 'azure_devops_area_teams'
            when 'azure_devops_state_phase' then 'azure_devops_state_phases'
            when 'person_team' then 'flow_people_teams'
            when 'status_phase' then 'status_phases'
            when 'issue_type_flow_item' then 'issue_type_flow_items'
            when 'work_item_type_flow_item' then 'issue_type_flow_items'
        end as mapping_file,
        source_tool,
        display_name,
        organization,
        project_key,
        component,
        area_path,
        status_id,
        jira_status_category
    from gaps

)

select * from final
