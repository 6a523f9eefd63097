{{ config(materialized='incremental', unique_key='changelog_item_id') }}

with

source as (

    {{ newest_version(source('raw_jira', 'changelog_items'), partition_by=['history_id', 'item_index']) }}

),

renamed as (

    select
        {{ surrogate_key(['history_id', 'item_index']) }} as changelog_item_id,
        cast(history_id as {{ dbt.type_string() }}) as history_id,
        cast(item_index as {{ dbt.type_bigint() }}) as item_index,
        -- Changelog pages may know the issue by id or by key only: both are kept as delivered.
        cast(issue_id as {{ dbt.type_string() }}) as issue_id,
        cast(issue_key as {{ dbt.type_string() }}) as issue_key,
        cast(author_account_id as {{ dbt.type_string() }}) as author_account_id,
        cast(author_display_name as {{ dbt.type_string() }}) as author_display_name,
        {{ to_utc_timestamp('created_at') }} as created_at,
        cast(field as {{ dbt.type_string() }}) as field,
        cast(field_type as {{ dbt.type_string() }}) as field_type,
        cast(field_id as {{ dbt.type_string() }}) as field_id,
        cast(from_value as {{ dbt.type_string() }}) as from_value,
        cast(from_string as {{ dbt.type_string() }}) as from_string,
        cast(to_value as {{ dbt.type_string() }}) as to_value,
        cast(to_string as {{ dbt.type_string() }}) as to_string,

        {{ lineage_columns() }}

    from source

)

select * from renamed
