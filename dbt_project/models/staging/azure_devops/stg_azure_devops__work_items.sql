{{ config(materialized='incremental', unique_key='work_item_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'work_items'), partition_by=['organization', 'work_item_id'], order_by=['rev']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'work_item_id']) }} as work_item_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(work_item_id as {{ dbt.type_bigint() }}) as work_item_id,
        cast(rev as {{ dbt.type_bigint() }}) as rev,
        cast(work_item_type as {{ dbt.type_string() }}) as work_item_type,
        cast(state as {{ dbt.type_string() }}) as state,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(team_project as {{ dbt.type_string() }}) as team_project,
        cast(area_path as {{ dbt.type_string() }}) as area_path,
        cast(iteration_path as {{ dbt.type_string() }}) as iteration_path,
        cast(board_column as {{ dbt.type_string() }}) as board_column,
        cast(assigned_to_unique_name as {{ dbt.type_string() }}) as assigned_to_unique_name,
        cast(assigned_to_display_name as {{ dbt.type_string() }}) as assigned_to_display_name,
        cast(assigned_to_id as {{ dbt.type_string() }}) as assigned_to_id,
        cast(assigned_to_descriptor as {{ dbt.type_string() }}) as assigned_to_descriptor,
        cast(created_by_unique_name as {{ dbt.type_string() }}) as created_by_unique_name,
        cast(created_by_display_name as {{ dbt.type_string() }}) as created_by_display_name,
        cast(created_by_id as {{ dbt.type_string() }}) as created_by_id,
        cast(parent_id as {{ dbt.type_bigint() }}) as parent_work_item_id,
        cast(priority as {{ dbt.type_bigint() }}) as priority,
        cast(tags as {{ dbt.type_string() }}) as tags,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('changed_at') }} as changed_at,
        {{ to_utc_timestamp('state_changed_at') }} as state_changed_at,
        {{ to_utc_timestamp('activated_at') }} as activated_at,
        {{ to_utc_timestamp('resolved_at') }} as resolved_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        cast(url as {{ dbt.type_string() }}) as url,

        {{ lineage_columns() }}

    from source

)

select * from renamed
