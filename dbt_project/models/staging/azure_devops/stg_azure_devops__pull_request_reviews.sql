{{ config(materialized='incremental', unique_key='pull_request_review_key') }}

with

source as (

    {{ newest_version(
        source('raw_azure_devops', 'pull_request_reviewers'),
        partition_by=['organization', 'pull_request_id', 'reviewer_id']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['organization', 'pull_request_id', 'reviewer_id']) }} as pull_request_review_key,
        {{ surrogate_key(['organization', 'pull_request_id']) }} as pull_request_key,
        cast(organization as {{ dbt.type_string() }}) as organization,
        cast(project as {{ dbt.type_string() }}) as project,
        cast(pull_request_id as {{ dbt.type_bigint() }}) as pull_request_id,
        cast(repository_id as {{ dbt.type_string() }}) as repository_id,
        cast(reviewer_id as {{ dbt.type_string() }}) as reviewer_id,
        cast(reviewer_unique_name as {{ dbt.type_string() }}) as reviewer_unique_name,
        cast(reviewer_display_name as {{ dbt.type_string() }}) as reviewer_display_name,
        cast(vote as {{ dbt.type_bigint() }}) as vote,
        cast(
            case vote
                when 10 then 'approved'
                when 5 then 'approved_with_suggestions'
                when 0 then 'no_vote'
                when -5 then 'waiting_for_author'
                when -10 then 'rejected'
            end as {{ dbt.type_string() }}
        ) as vote_name,
        vote > 0 as is_approval,
        coalesce(cast(is_required as {{ dbt.type_boolean() }}), false) as is_required,
        coalesce(cast(has_declined as {{ dbt.type_boolean() }}), false) as has_declined,
        coalesce(cast(is_flagged as {{ dbt.type_boolean() }}), false) as is_flagged,
        coalesce(cast(is_container as {{ dbt.type_boolean() }}), false) as is_container,
        cast(voted_for_ids as {{ dbt.type_string() }}) as voted_for_ids_json,
        cast(reviewer_index as {{ dbt.type_bigint() }}) as reviewer_index,

        {{ lineage_columns() }}

    from source

)

select * from renamed
