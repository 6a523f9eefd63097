{#
    What the mapping seeds do not cover. Unmapped records stay in every model; this lists them so that
    someone can add the missing seed rows.
#}
with

repository_teams as (

    select * from {{ ref('repository_teams') }}

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

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

incidents as (

    select * from {{ ref('stg_pagerduty__incidents') }}

),

-- Every GitHub record with its repository; models listed first give the preferred example.
github_records as (

    {%- set github_models = [
        ('stg_github__pull_requests', 'pull_request_id'),
        ('stg_github__deployments', 'deployment_id'),
        ('stg_github__workflow_runs', 'workflow_run_attempt_id'),
        ('stg_github__deployment_statuses', 'deployment_status_id'),
        ('stg_github__pull_request_reviews', 'review_id'),
        ('stg_github__pull_request_commits', 'pull_request_commit_id'),
        ('stg_github__commits', 'commit_id'),
        ('stg_github__commit_parents', 'commit_parent_id'),
    ] %}
    {% for model_name, primary_key in github_models %}
    select
        repository,
        '{{ model_name }}' as record_model,
        {{ loop.index }} as record_model_priority,
        cast({{ primary_key }} as {{ dbt.type_string() }}) as record_id
    from {{ ref(model_name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

unmapped_repository_records as (

    select
        'repository_team' as mapping_kind,
        github_records.repository as unmapped_value,
        cast(null as {{ dbt.type_string() }}) as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        github_records.record_model,
        github_records.record_model_priority,
        github_records.record_id
    from github_records
    left join repository_teams
        on lower(github_records.repository) = lower(repository_teams.repository)
    where repository_teams.repository is null

),

unmapped_project_records as (

    select
        'jira_project_team' as mapping_kind,
        issues.project_key as unmapped_value,
        issues.project_name as unmapped_value_detail,
        cast(null as {{ dbt.type_string() }}) as fallback_used,
        'stg_jira__issues' as record_model,
        1 as record_model_priority,
        issues.issue_id as record_id
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
        'stg_pagerduty__incidents' as record_model,
        1 as record_model_priority,
        incidents.incident_id as record_id
    from incidents
    left join pagerduty_service_teams
        on incidents.service_id = pagerduty_service_teams.service_id
    where pagerduty_service_teams.service_id is null

),

record_gaps as (

    select * from unmapped_repository_records
    union all
    select * from unmapped_project_records
    union all
    select * from unmapped_service_records

),

ranked_record_gaps as (

    select
        *,
        count(*) over (partition by mapping_kind, unmapped_value) as records_affected,
        row_number() over (
            partition by mapping_kind, unmapped_value
            order by record_model_priority, record_id
        ) as example_rank,
        -- Details can differ between records (a renamed service): show one, the same on every run.
        max(unmapped_value_detail) over (partition by mapping_kind, unmapped_value) as value_detail
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
        record_id as example_record_id
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
        example_record_id
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
        example_issue_id as example_record_id
    from jira_issue_types
    where mapping_source = 'unmapped'

),

gaps as (

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
        example_record_id
    from gaps

)

select * from final
