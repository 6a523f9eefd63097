{#
    What the mapping seeds do not cover. Unmapped records stay in every model; this lists them so that
    someone can add the missing seed rows. Each kind of mapping has its model (int_mappings__gaps_<kind>,
    built with the macros of macros/mapping_gaps.sql): a new kind is one more model, named in the list below.
    Besides the value itself, each row carries the key columns of the mapping file it belongs in
    (organization, project_key, component, area_path, status_id) and what helps recognise it (tool, display
    name, Jira status category), so that `delivery mappings gaps` can write rows ready to fill in.
#}
{%- set gap_models = [
    'int_mappings__gaps_azure_devops_states',
    'int_mappings__gaps_azure_devops_areas',
    'int_mappings__gaps_azure_devops_work_item_types',
    'int_mappings__gaps_repositories',
    'int_mappings__gaps_jira_projects',
    'int_mappings__gaps_pagerduty_services',
    'int_mappings__gaps_opsgenie_teams',
    'int_mappings__gaps_jenkins_jobs',
    'int_mappings__gaps_gitlab_groups',
    'int_mappings__gaps_jira_components',
    'int_mappings__gaps_people',
    'int_mappings__gaps_jira_statuses',
    'int_mappings__gaps_jira_issue_types',
] %}
with

gaps as (

    {%- for gap_model in gap_models %}
    select * from {{ ref(gap_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        {{ surrogate_key(['mapping_kind', 'unmapped_value']) }} as mapping_gap_id,
        mapping_kind,
        unmapped_value,
        unmapped_value_detail,
        fallback_used,
        records_affected,
        example_record_model,
        example_record_id,
        mapping_file,
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
