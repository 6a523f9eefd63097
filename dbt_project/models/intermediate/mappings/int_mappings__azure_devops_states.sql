{#
    Every Azure Boards state name seen (a work item's current state, or either side of a state update) with
    its delivery phase and flow state from the `azure_devops_state_phases` seed, else unmapped. States have
    names only, and processes rename and add them freely, so there is no category fallback.
#}
with

work_items as (

    select * from {{ ref('stg_azure_devops__work_items') }}

),

state_updates as (

    select * from {{ ref('stg_azure_devops__work_item_updates') }}
    where field_key = 'state'

),

state_phases as (

    select * from {{ ref('azure_devops_state_phases') }}

),

state_occurrences as (

    select state as state_name, 'stg_azure_devops__work_items' as record_model, work_item_key as record_id
    from work_items

    union all

    select old_value, 'stg_azure_devops__work_item_updates', work_item_change_key
    from state_updates
    where old_value is not null

    union all

    select new_value, 'stg_azure_devops__work_item_updates', work_item_change_key
    from state_updates
    where new_value is not null

),

ranked_occurrences as (

    select
        *,
        count(*) over (partition by lower(trim(state_name))) as occurrence_count,
        row_number() over (partition by lower(trim(state_name)) order by record_model desc, record_id) as occurrence_rank
    from state_occurrences
    where state_name is not null

),

mapped as (

    select
        ranked_occurrences.state_name,
        state_phases.delivery_phase,
        state_phases.flow_state,
        case when state_phases.state is not null then 'azure_devops_state_phases' else 'unmapped' end
            as mapping_source,
        ranked_occurrences.occurrence_count,
        ranked_occurrences.record_model as example_record_model,
        ranked_occurrences.record_id as example_record_id
    from ranked_occurrences
    left join state_phases
        on lower(trim(ranked_occurrences.state_name)) = lower(trim(state_phases.state))
    where ranked_occurrences.occurrence_rank = 1

)

select * from mapped
