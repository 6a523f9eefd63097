{#
    Work items of every planning tool in one shape: Jira issues and Azure Boards work items, each at its
    current version. The flow models read work items only from here, so a new tool joins with one more
    union below. An Azure Boards item has no key: it is shown as `<project>#<id>` and identified across
    organizations by `azure_devops:<organization>:<id>`.
    The owning team is the team the item belongs to (the flow marts count it there): the team owning the
    first of a Jira issue's components that has an owner (a component row overrides its project's row in
    `jira_project_teams`), else the project's team; for an Azure Boards item, the team of the longest
    mapped area path it lies in. Null when no seed maps the item (the marts count it as `unmapped`).
#}
with

jira_issues as (

    select * from {{ ref('stg_jira__issues') }}

),

jira_project_teams as (

    select * from {{ ref('jira_project_teams') }}
    where component is null

),

jira_component_teams as (

    select * from {{ ref('jira_project_teams') }}
    where component is not null

),

jira_issue_components as (

    select * from {{ ref('int_flow__jira_issue_components') }}

),

-- The component that decides ownership: the first of the issue's components that a team owns.
jira_component_owners as (

    select
        jira_issue_components.issue_id,
        jira_component_teams.team,
        row_number() over (
            partition by jira_issue_components.issue_id
            order by jira_issue_components.component_position
        ) as owner_rank
    from jira_issue_components
    inner join jira_component_teams
        on jira_issue_components.project_key = jira_component_teams.project_key
        and lower(jira_issue_components.component) = lower(jira_component_teams.component)

),

azure_devops_work_items as (

    select * from {{ ref('stg_azure_devops__work_items') }}

),

azure_devops_area_teams as (

    select * from {{ ref('azure_devops_area_teams') }}

),

-- The team owning an Azure Boards item: the longest mapped area path the item's area path starts with.
azure_devops_area_owners as (

    select
        work_items.work_item_key,
        area_teams.team,
        row_number() over (
            partition by work_items.work_item_key
            order by {{ dbt.length('area_teams.area_path') }} desc
        ) as match_rank
    from azure_devops_work_items as work_items
    inner join azure_devops_area_teams as area_teams
        on work_items.organization = area_teams.organization
        and lower(work_items.project) = lower(area_teams.project)
        and {{ azure_devops_area_path_within('work_items.area_path', 'area_teams.area_path') }}

),

jira_work_items as (

    select
        'jira' as source_tool,
        jira_issues.issue_id,
        jira_issues.issue_key,
        jira_issues.project_key,
        jira_issues.summary,
        jira_issues.issue_type,
        jira_issues.issue_type_hierarchy_level,
        jira_issues.is_subtask,
        jira_issues.status_id,
        jira_issues.status_name,
        jira_issues.status_category_key,
        jira_issues.assignee_account_id,
        jira_issues.components_json,
        jira_issues.parent_key,
        jira_issues.epic_key,
        jira_issues.due_date,
        jira_issues.created_at,
        jira_issues.updated_at,
        coalesce(jira_component_owners.team, jira_project_teams.team) as owning_team,
        case
            when jira_component_owners.team is not null then 'component'
            when jira_project_teams.team is not null then 'project'
        end as owning_team_source,
        jira_issues.issue_id as source_record_id,
        jira_issues._source_file,
        jira_issues._record_index,
        jira_issues._dlt_load_id
    from jira_issues
    left join jira_project_teams
        on jira_issues.project_key = jira_project_teams.project_key
    left join jira_component_owners
        on jira_issues.issue_id = jira_component_owners.issue_id
        and jira_component_owners.owner_rank = 1

),

azure_devops_items as (

    select
        'azure_devops' as source_tool,
        {{ azure_devops_work_item_id('work_items.organization', 'work_items.work_item_id') }} as issue_id,
        {{ dbt.concat(["work_items.project", "'#'", "cast(work_items.work_item_id as " ~ dbt.type_string() ~ ")"]) }}
            as issue_key,
        work_items.project as project_key,
        work_items.title as summary,
        work_items.work_item_type as issue_type,
        cast(null as {{ dbt.type_bigint() }}) as issue_type_hierarchy_level,
        false as is_subtask,
        -- Azure Boards states have names only; phases are mapped by name (azure_devops_state_phases).
        cast(null as {{ dbt.type_string() }}) as status_id,
        work_items.state as status_name,
        cast(null as {{ dbt.type_string() }}) as status_category_key,
        work_items.assigned_to_id as assignee_account_id,
        cast(null as {{ dbt.type_string() }}) as components_json,
        {{ dbt.concat(["parents.project", "'#'", "cast(parents.work_item_id as " ~ dbt.type_string() ~ ")"]) }}
            as parent_key,
        -- The hierarchy (Epic > Feature > Story) is parent links only: the parent stands for the epic.
        cast(null as {{ dbt.type_string() }}) as epic_key,
        cast(null as date) as due_date,
        work_items.created_at,
        work_items.changed_at as updated_at,
        area_owners.team as owning_team,
        case when area_owners.team is not null then 'area_path' end as owning_team_source,
        cast(work_items.work_item_id as {{ dbt.type_string() }}) as source_record_id,
        work_items._source_file,
        work_items._record_index,
        work_items._dlt_load_id
    from azure_devops_work_items as work_items
    left join azure_devops_work_items as parents
        on work_items.organization = parents.organization
        and work_items.parent_work_item_id = parents.work_item_id
    left join azure_devops_area_owners as area_owners
        on work_items.work_item_key = area_owners.work_item_key
        and area_owners.match_rank = 1

),

work_items as (

    select * from jira_work_items
    union all
    select * from azure_devops_items

)

select * from work_items
