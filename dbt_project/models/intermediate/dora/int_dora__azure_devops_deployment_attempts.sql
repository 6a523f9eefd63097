-- One row per Azure DevOps environment deployment record whose build is exported and names a repository.
-- A record deploys what its build built: the commit and repository come from the build (a GitHub
-- repository built by Azure Pipelines keeps its GitHub name). Records whose build is not exported yet are
-- left out until it is; those whose build names no repository are left out and listed in int_mappings__gaps.
with

azure_devops_deployments as (

    select
        {{ dbt.concat(["'azure_devops_deployment:'", "d.organization", "':'",
            "cast(d.deployment_record_id as " ~ dbt.type_string() ~ ")"]) }} as deployment_key,
        'azure_devops_deployment' as deployment_source,
        {{ dbt.concat(["d.organization", "':'", "cast(d.deployment_record_id as " ~ dbt.type_string() ~ ")"]) }}
            as source_id,
        b.repository,
        d.environment_name as environment,
        b.source_version as deployed_sha,
        b.source_branch as deployed_ref,
        coalesce(d.started_at, d.queued_at) as started_at,
        case when lower(d.result) in ('succeeded', 'succeededwithissues') then d.finished_at end as deployed_at,
        case when d.result is not null then d.finished_at end as finished_at,
        false as is_deployed_at_approximate,
        cast(null as {{ dbt.type_boolean() }}) as is_production_by_source,
        coalesce(lower(d.result) in ('succeeded', 'succeededwithissues'), false) as is_success,
        case
            when lower(d.result) in ('succeeded', 'succeededwithissues') then 'success'
            when lower(d.result) = 'failed' then 'failure'
            when d.result is not null then lower(d.result)
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('d', "'azure_devops'", 'd.deployment_record_id') }}
    from {{ ref('stg_azure_devops__deployments') }} as d
    inner join {{ ref('stg_azure_devops__builds') }} as b on d.build_key = b.build_key
    where b.repository is not null

)

select * from azure_devops_deployments
