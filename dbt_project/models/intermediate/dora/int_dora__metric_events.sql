{#
    The fact rows the DORA period metrics count, one row per event: production deployments (with their
    failures and unplanned fixes), deployed changes past each repository's baseline, incidents, and pull
    requests by merge. mart_dora__weekly and mart_dora__monthly aggregate these rows and fct_metric_members
    lists them, so a mart cell and its explanation count the same rows. Columns that belong to one kind of
    event are null on the others.
#}
{%- set lineage = 'source_tool, source_record_id, _source_file, _record_index, _dlt_load_id' -%}
{%- set null_string = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
{%- set null_boolean = 'cast(null as ' ~ dbt.type_boolean() ~ ')' -%}
{%- set null_double = 'cast(null as ' ~ type_double() ~ ')' -%}

with

deployments as (

    select
        'deployment' as event_kind, deployment_key as event_key, deployment_key, team, value_stream,
        deployed_at as event_at,
        is_failure, failure_source, is_unplanned_fix,
        ships_hotfix, ships_defect_fix,
        recovery_time_hours, deployment_source,
        {{ null_string }} as change_type, {{ null_boolean }} as is_in_lead_time, {{ null_double }} as lead_time_hours,
        {{ null_double }} as duration_hours, {{ null_string }} as attribution_method,
        {{ null_string }} as explicit_link_type,
        {{ null_double }} as time_to_merge_hours,
        {{ lineage }}
    from {{ ref('fct_deployments') }}
    where is_production_deployment

),

-- changes by their deployment's deployed_at; a repository's baseline changes shipped before any known
-- deployment and have no lead time to count
changes as (

    select
        'change' as event_kind, change_key as event_key, deployment_key, team, value_stream,
        deployed_at as event_at,
        {{ null_boolean }} as is_failure, {{ null_string }} as failure_source, {{ null_boolean }} as is_unplanned_fix,
        {{ null_boolean }} as ships_hotfix, {{ null_boolean }} as ships_defect_fix,
        {{ null_double }} as recovery_time_hours, {{ null_string }} as deployment_source,
        change_type, is_in_lead_time, lead_time_hours,
        {{ null_double }} as duration_hours, {{ null_string }} as attribution_method,
        {{ null_string }} as explicit_link_type,
        {{ null_double }} as time_to_merge_hours,
        {{ lineage }}
    from {{ ref('fct_changes') }}
    where deployment_key is not null and not is_baseline

),

incidents as (

    select
        'incident' as event_kind, incident_id as event_key, deployment_key, team, value_stream,
        started_at as event_at,
        {{ null_boolean }} as is_failure, {{ null_string }} as failure_source, {{ null_boolean }} as is_unplanned_fix,
        {{ null_boolean }} as ships_hotfix, {{ null_boolean }} as ships_defect_fix,
        {{ null_double }} as recovery_time_hours, {{ null_string }} as deployment_source,
        {{ null_string }} as change_type, {{ null_boolean }} as is_in_lead_time, {{ null_double }} as lead_time_hours,
        duration_hours, attribution_method, explicit_link_type,
        {{ null_double }} as time_to_merge_hours,
        {{ lineage }}
    from {{ ref('fct_incidents') }}

),

-- pull requests by merge: the part of lead time before deployment shows before the deployment does
merges as (

    select
        'merge' as event_kind, change_key as event_key, deployment_key, team, value_stream,
        merged_at as event_at,
        {{ null_boolean }} as is_failure, {{ null_string }} as failure_source, {{ null_boolean }} as is_unplanned_fix,
        {{ null_boolean }} as ships_hotfix, {{ null_boolean }} as ships_defect_fix,
        {{ null_double }} as recovery_time_hours, {{ null_string }} as deployment_source,
        {{ null_string }} as change_type, {{ null_boolean }} as is_in_lead_time, {{ null_double }} as lead_time_hours,
        {{ null_double }} as duration_hours, {{ null_string }} as attribution_method,
        {{ null_string }} as explicit_link_type,
        time_to_merge_hours,
        {{ lineage }}
    from {{ ref('fct_changes') }}
    where is_in_time_to_merge

)

select * from deployments
union all
select * from changes
union all
select * from incidents
union all
select * from merges
