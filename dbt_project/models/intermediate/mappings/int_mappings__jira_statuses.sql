{#
    Every Jira status name seen (an issue's current status, or either end of a status change) with its
    delivery phase and flow state: from the `status_phases` seed by name, else from the status category
    Jira files it under (`status_category_fallbacks`), else unmapped. The category of a name is the one most
    issues currently in that status show; a name only seen in the changelog borrows the category of an
    issue whose current status has the same id.
#}
with

issues as (

    select * from {{ ref('stg_jira__issues') }}

),

changelog_items as (

    select * from {{ ref('stg_jira__changelog_items') }}

),

status_phases as (

    select * from {{ ref('status_phases') }}

),

status_category_fallbacks as (

    select * from {{ ref('status_category_fallbacks') }}

),

status_occurrences as (

    select
        status_name,
        status_id,
        'stg_jira__issues' as record_model,
        1 as record_model_priority,
        issue_id as record_id
    from issues

    union all

    select
        from_string as status_name,
        from_value as status_id,
        'stg_jira__changelog_items' as record_model,
        2 as record_model_priority,
        changelog_item_id as record_id
    from changelog_items
    where lower(field) = 'status' and from_string is not null

    union all

    select
        to_string as status_name,
        to_value as status_id,
        'stg_jira__changelog_items' as record_model,
        2 as record_model_priority,
        changelog_item_id as record_id
    from changelog_items
    where lower(field) = 'status' and to_string is not null

),

-- Counted before ranked: a few rows per name (each spelling, status id and model) instead of every status
-- change in the history, which a window over millions of changelog items had to sort.
occurrence_groups as (

    select
        lower(trim(status_name)) as status_name_key,
        status_name,
        status_id,
        record_model,
        record_model_priority,
        count(*) as occurrence_count,
        min(record_id) as record_id
    from status_occurrences
    group by lower(trim(status_name)), status_name, status_id, record_model, record_model_priority

),

ranked_occurrences as (

    select
        status_name_key,
        status_name,
        record_model,
        record_id,
        sum(occurrence_count) over (partition by status_name_key) as occurrence_count,
        row_number() over (
            partition by status_name_key
            order by record_model_priority, record_id, status_name, status_id
        ) as occurrence_rank
    from occurrence_groups

),

-- Most frequent (then alphabetically first) value per group, for names seen with several ids or categories.
name_categories as (

    select
        lower(trim(status_name)) as status_name_key,
        status_category_key,
        count(*) as issue_count,
        row_number() over (
            partition by lower(trim(status_name))
            order by count(*) desc, status_category_key
        ) as category_rank,
        count(*) over (partition by lower(trim(status_name))) as category_count
    from issues
    where status_category_key is not null
    group by lower(trim(status_name)), status_category_key

),

id_categories as (

    select
        status_id,
        status_category_key,
        row_number() over (
            partition by status_id
            order by count(*) desc, status_category_key
        ) as category_rank
    from issues
    where status_category_key is not null and status_id is not null
    group by status_id, status_category_key

),

name_ids as (

    select
        status_name_key,
        status_id,
        row_number() over (
            partition by status_name_key
            order by sum(occurrence_count) desc, status_id
        ) as id_rank
    from occurrence_groups
    where status_id is not null
    group by status_name_key, status_id

),

status_names as (

    select
        ranked_occurrences.status_name_key,
        ranked_occurrences.status_name,
        name_ids.status_id,
        ranked_occurrences.occurrence_count,
        ranked_occurrences.record_model as example_record_model,
        ranked_occurrences.record_id as example_record_id,
        name_categories.status_category_key as name_category_key,
        coalesce(name_categories.category_count, 0) as name_category_count,
        id_categories.status_category_key as id_category_key
    from ranked_occurrences
    left join name_ids
        on ranked_occurrences.status_name_key = name_ids.status_name_key
        and name_ids.id_rank = 1
    left join name_categories
        on ranked_occurrences.status_name_key = name_categories.status_name_key
        and name_categories.category_rank = 1
    left join id_categories
        on name_ids.status_id = id_categories.status_id
        and id_categories.category_rank = 1
    where ranked_occurrences.occurrence_rank = 1

),

mapped as (

    select
        status_names.status_name,
        status_names.status_id,
        coalesce(status_names.name_category_key, status_names.id_category_key) as status_category_key,
        case
            when status_names.name_category_key is not null then 'status_name'
            when status_names.id_category_key is not null then 'status_id'
        end as status_category_found_by,
        status_names.name_category_count as status_category_count,
        coalesce(status_phases.delivery_phase, status_category_fallbacks.delivery_phase) as delivery_phase,
        coalesce(status_phases.flow_state, status_category_fallbacks.flow_state) as flow_state,
        case
            when status_phases.status_name is not null then 'status_phases'
            when status_category_fallbacks.status_category_key is not null then 'status_category_fallbacks'
            else 'unmapped'
        end as mapping_source,
        status_names.occurrence_count,
        status_names.example_record_model,
        status_names.example_record_id
    from status_names
    left join status_phases
        on status_names.status_name_key = lower(trim(status_phases.status_name))
    left join status_category_fallbacks
        on coalesce(status_names.name_category_key, status_names.id_category_key)
            = status_category_fallbacks.status_category_key

)

select * from mapped
