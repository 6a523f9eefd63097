{{ config(materialized='incremental', unique_key='issue_id') }}

with

source as (

    {{ newest_version(source('raw_jira', 'issues'), partition_by=['issue_id'], order_by=['updated_at']) }}

),

renamed as (

    select
        cast(issue_id as {{ dbt.type_string() }}) as issue_id,
        cast(issue_key as {{ dbt.type_string() }}) as issue_key,
        cast(project_key as {{ dbt.type_string() }}) as project_key,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(issue_type as {{ dbt.type_string() }}) as issue_type,
        cast(issue_type_hierarchy_level as {{ dbt.type_bigint() }}) as issue_type_hierarchy_level,
        cast(is_subtask as {{ dbt.type_boolean() }}) as is_subtask,
        cast(status_id as {{ dbt.type_string() }}) as status_id,
        cast(status_name as {{ dbt.type_string() }}) as status_name,
        cast(status_category_key as {{ dbt.type_string() }}) as status_category_key,
        cast(summary as {{ dbt.type_string() }}) as summary,
        cast(priority_name as {{ dbt.type_string() }}) as priority_name,
        cast(resolution_name as {{ dbt.type_string() }}) as resolution_name,
        cast(assignee_account_id as {{ dbt.type_string() }}) as assignee_account_id,
        cast(assignee_display_name as {{ dbt.type_string() }}) as assignee_display_name,
        cast(reporter_account_id as {{ dbt.type_string() }}) as reporter_account_id,
        cast(parent_key as {{ dbt.type_string() }}) as parent_key,
        cast(epic_key as {{ dbt.type_string() }}) as epic_key,
        cast(labels as {{ dbt.type_string() }}) as labels_json,
        cast(components as {{ dbt.type_string() }}) as components_json,
        cast(fix_versions as {{ dbt.type_string() }}) as fix_versions_json,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('resolved_at') }} as resolved_at,
        cast(due_date as date) as due_date,
        cast(changelog_total as {{ dbt.type_bigint() }}) as changelog_total,
        cast(changelog_inline as {{ dbt.type_bigint() }}) as changelog_inline,

        {{ lineage_columns() }}

    from source

)

select * from renamed
