-- One row per production deployment rolled back: a later production deployment of the same repository
-- deployed a commit that an earlier deployment had already shipped (an ancestor), taking the repository
-- back past it.
with
deployments as (
    select * from {{ ref('int_dora__production_deployments') }}
),

commit_deployments as (
    select * from {{ ref('int_dora__commit_deployments') }}
),

-- for each deployment: the earliest deployment that shipped its commit, by graph or by identical sha
earliest_shipper as (
    select
        d.deployment_key,
        d.repository,
        d.repository_sequence,
        d.deployed_sha,
        d.deployed_at,
        d.previous_deployed_sha,
        least(
            coalesce(cd.repository_sequence, d.repository_sequence),
            coalesce(same_sha.first_sequence, d.repository_sequence)
        ) as shipped_sequence
    from deployments as d
    left join commit_deployments as cd
        on d.repository = cd.repository
        and d.deployed_sha = cd.sha
    left join (
        select repository, deployed_sha, min(repository_sequence) as first_sequence
        from deployments
        group by repository, deployed_sha
    ) as same_sha
        on d.repository = same_sha.repository
        and d.deployed_sha = same_sha.deployed_sha
),

rollback_deployments as (
    select *
    from earliest_shipper
    where shipped_sequence < repository_sequence
        -- a plain redeploy of the previous commit goes nowhere back
        and deployed_sha <> coalesce(previous_deployed_sha, '')
),

rolled_back as (
    select
        d.deployment_key,
        r.deployment_key as rollback_deployment_key,
        r.deployed_at as rolled_back_at,
        row_number() over (partition by d.deployment_key order by r.repository_sequence) as rollback_order
    from rollback_deployments as r
    inner join deployments as d
        on r.repository = d.repository
        and d.repository_sequence > r.shipped_sequence
        and d.repository_sequence < r.repository_sequence
        and d.deployed_sha <> r.deployed_sha
)

-- a deployment rolled back twice counts once, by the first rollback
select deployment_key, rollback_deployment_key, rolled_back_at
from rolled_back
where rollback_order = 1
