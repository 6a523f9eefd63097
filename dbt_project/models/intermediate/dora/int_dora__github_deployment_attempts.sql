-- One row per GitHub deployment attempt: each deployment, and each run attempt of a repository's deploy
-- workflow (int_dora__repository_teams.deploy_workflow_path).
with

repositories as (

    select * from {{ ref('int_dora__repository_teams') }}

),

status_times as (

    select
        deployment_id,
        min(case when state = 'success' then created_at end) as first_success_at,
        min(case when state in ('failure', 'error') then created_at end) as first_failure_at
    from {{ ref('stg_github__deployment_statuses') }}
    group by deployment_id

),

github_deployments as (

    select
        {{ dbt.concat(["'github_deployment:'", "cast(d.deployment_id as " ~ dbt.type_string() ~ ")"]) }}
            as deployment_key,
        'github_deployment' as deployment_source,
        cast(d.deployment_id as {{ dbt.type_string() }}) as source_id,
        d.repository,
        d.environment,
        d.sha as deployed_sha,
        d.ref as deployed_ref,
        d.created_at as started_at,
        -- the first success status, never the deployment's updated_at (it moves with later statuses)
        s.first_success_at as deployed_at,
        coalesce(s.first_success_at, s.first_failure_at) as finished_at,
        false as is_deployed_at_approximate,
        -- production when the environment matches the repository's pattern
        cast(null as {{ dbt.type_boolean() }}) as is_production_by_source,
        s.first_success_at is not null as is_success,
        case
            when s.first_success_at is not null then 'success'
            when s.first_failure_at is not null then 'failure'
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'github'", 'd.deployment_id') }}
    from {{ ref('stg_github__deployments') }} as d
    left join status_times as s on d.deployment_id = s.deployment_id

),

workflow_deployments as (

    select
        {{ dbt.concat(["'workflow_run:'", "cast(w.workflow_run_id as " ~ dbt.type_string() ~ ")", "'-'",
            "cast(w.run_attempt as " ~ dbt.type_string() ~ ")"]) }} as deployment_key,
        'workflow_run' as deployment_source,
        {{ dbt.concat(["cast(w.workflow_run_id as " ~ dbt.type_string() ~ ")", "'-'",
            "cast(w.run_attempt as " ~ dbt.type_string() ~ ")"]) }} as source_id,
        w.repository,
        -- a deploy workflow deploys to production by configuration
        'production' as environment,
        w.head_sha as deployed_sha,
        w.head_branch as deployed_ref,
        coalesce(w.run_started_at, w.created_at) as started_at,
        -- the list body carries no completion time: updated_at is the closest, flagged as approximate
        case when w.conclusion = 'success' then w.updated_at end as deployed_at,
        case when w.status = 'completed' then w.updated_at end as finished_at,
        true as is_deployed_at_approximate,
        true as is_production_by_source,
        w.conclusion = 'success' as is_success,
        case
            when w.conclusion = 'success' then 'success'
            when w.conclusion is not null then w.conclusion
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('w', "'github'", 'w.workflow_run_id') }}
    from {{ ref('stg_github__workflow_runs') }} as w
    inner join repositories as r
        on lower(w.repository) = r.repository_key
        and w.workflow_path = r.deploy_workflow_path

),

attempts as (

    select * from github_deployments
    union all
    select * from workflow_deployments

)

select * from attempts
