-- One row per GitLab deployment.
with

gitlab_deployments as (

    select
        {{ dbt.concat(["'gitlab_deployment:'", "cast(d.deployment_id as " ~ dbt.type_string() ~ ")"]) }}
            as deployment_key,
        'gitlab_deployment' as deployment_source,
        cast(d.deployment_id as {{ dbt.type_string() }}) as source_id,
        d.project_path as repository,
        d.environment_name as environment,
        d.sha as deployed_sha,
        d.ref as deployed_ref,
        coalesce(d.started_at, d.created_at) as started_at,
        case when d.status = 'success' then coalesce(d.finished_at, d.updated_at) end as deployed_at,
        case when d.status in ('success', 'failed', 'canceled') then coalesce(d.finished_at, d.updated_at) end
            as finished_at,
        -- neither the deployment nor its job gave a finish: the last update stands in
        d.finished_at is null and d.status in ('success', 'failed', 'canceled') as is_deployed_at_approximate,
        -- the environment's tier decides; without one (older GitLab), the repository's pattern on the name
        d.is_production_tier as is_production_by_source,
        d.status = 'success' as is_success,
        case
            when d.status = 'success' then 'success'
            when d.status = 'failed' then 'failure'
            when d.status = 'canceled' then 'canceled'
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'gitlab'", 'd.deployment_id') }}
    from {{ ref('stg_gitlab__deployments') }} as d

)

select * from gitlab_deployments
