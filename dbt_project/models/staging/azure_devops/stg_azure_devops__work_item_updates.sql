{{ config(materialized='incremental', unique_key='work_item_change_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'work_item_updates'),
        partition_by=['organization', 'work_item_id', 'update_id', 'field']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'work_item_id', 'update_id', 'field']) }} as work_item_change_key,
        {{ surrogate_key(['organization', 'work_item_id']) }} as work_item_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(work_item_id as {{ dbt.type_bigint() }}) as work_item_id,
        cast(update_id as {{ dbt.type_bigint() }}) as update_id,
        cast(rev as {{ dbt.type_bigint() }}) as rev,
        cast(field as {{ dbt.type_string() }}) as field,
        -- A short name per tracked field, so that replays need not spell reference names.
        case field
            when 'System.State' then 'state'
            when 'System.Reason' then 'reason'
            when 'System.WorkItemType' then 'work_item_type'
            when 'System.AssignedTo' then 'assigned_to'
            when 'System.AreaPath' then 'area_path'
            when 'System.IterationPath' then 'iteration_path'
            when 'System.BoardColumn' then 'board_column'
        end as field_key,
        cast(old_value as {{ dbt.type_string() }}) as old_value,
        cast(new_value as {{ dbt.type_string() }}) as new_value,
        cast(old_display_name as {{ dbt.type_string() }}) as old_display_name,
        cast(new_display_name as {{ dbt.type_string() }}) as new_display_name,
        cast(old_identity_id as {{ dbt.type_string() }}) as old_identity_id,
        cast(new_identity_id as {{ dbt.type_string() }}) as new_identity_id,
        {{ to_utc_timestamp('changed_at') }} as changed_at,
        -- The loader reads the 9999-01-01 "not revised yet" sentinel as null: the revision is current.
        {{ to_utc_timestamp('revised_at') }} as revised_at,
        coalesce(cast(is_current_revision as {{ dbt.type_boolean() }}), revised_at is null) as is_current_revision,
        cast(revised_by_unique_name as {{ dbt.type_string() }}) as revised_by_unique_name,
        cast(revised_by_display_name as {{ dbt.type_string() }}) as revised_by_display_name,
        cast(revised_by_id as {{ dbt.type_string() }}) as revised_by_id,

        {{ lineage_columns() }}

    from source

)

select * from renamed
