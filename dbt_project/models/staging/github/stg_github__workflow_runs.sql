{{ config(materialized='incremental', unique_key='workflow_run_attempt_id') }}

with

source as (

    {{ newest_version(
        source('raw_github', 'workflow_runs'),
        partition_by=['workflow_run_id', 'coalesce(run_attempt, 1)'],
        order_by=['updated_at']
    ) }}

),

renamed as (

    select
        {{ surrogate_key(['workflow_run_id', 'coalesce(run_attempt, 1)']) }} as workflow_run_attempt_id,
        cast(workflow_run_id as {{ dbt.type_bigint() }}) as workflow_run_id,
        cast(coalesce(run_attempt, 1) as {{ dbt.type_bigint() }}) as run_attempt,
        cast(run_number as {{ dbt.type_bigint() }}) as run_number,
        cast(workflow_id as {{ dbt.type_bigint() }}) as workflow_id,
        cast(repository as {{ dbt.type_string() }}) as repository,
        cast(name as {{ dbt.type_string() }}) as workflow_name,
        cast(path as {{ dbt.type_string() }}) as workflow_path,
        cast(event as {{ dbt.type_string() }}) as event,
        -- GitHub sends lower case; exports and older APIs may not, and send '' while a run has no result.
        {{ normalized_text('status') }} as status,
        {{ normalized_text('conclusion') }} as conclusion,
        cast(head_branch as {{ dbt.type_string() }}) as head_branch,
        cast(head_sha as {{ dbt.type_string() }}) as head_sha,
        cast(actor_login as {{ dbt.type_string() }}) as actor_login,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('run_started_at') }} as run_started_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,

        {{ lineage_columns() }}

    from source

)

select * from renamed
