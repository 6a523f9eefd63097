{#
    Review events from merge request notes. GitLab's approvals endpoint names approvers but not when they
    approved; the system note it writes on each approval has the time. A note counts as a review event when
    it is an approval, a withdrawn approval, a change request, or a comment by a person (a non-system note).
    Other system notes (added commits, review requests, title changes) are not reviews and are left out.
#}
with

source as (

    {{ newest_version(source('raw_gitlab', 'merge_request_notes'), partition_by=['note_id'], order_by=['updated_at']) }}

),

classified as (

    select
        *,
        case
            when not coalesce(is_system, false) then 'commented'
            when lower(trim(body)) = 'approved this merge request' then 'approved'
            when lower(trim(body)) = 'unapproved this merge request' then 'unapproved'
            when lower(trim(body)) like 'requested changes%' then 'requested_changes'
        end as review_action
    from source

),

renamed as (

    select
        cast(note_id as {{ dbt.type_bigint() }}) as note_id,
        cast(project_path as {{ dbt.type_string() }}) as project_path,
        cast(merge_request_iid as {{ dbt.type_bigint() }}) as merge_request_iid,
        cast(noteable_id as {{ dbt.type_bigint() }}) as merge_request_id,
        cast(review_action as {{ dbt.type_string() }}) as review_action,
        cast(is_system as {{ dbt.type_boolean() }}) as is_system,
        cast(is_internal as {{ dbt.type_boolean() }}) as is_internal,
        cast(author_id as {{ dbt.type_bigint() }}) as reviewer_id,
        cast(author_username as {{ dbt.type_string() }}) as reviewer_username,
        cast(body as {{ dbt.type_string() }}) as body,
        {{ to_utc_timestamp('created_at') }} as reviewed_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        {{ lineage_columns() }}

    from classified
    where review_action is not null

)

select * from renamed
