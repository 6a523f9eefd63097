-- One row per production deployment rolled back: a later production deployment of the same repository
-- deployed a commit that is an ancestor of the rolled-back deployment's commit, taking the repository back
-- past it. Ancestry is checked on the commit graph, so that a deployment from another branch (a hotfix
-- branch, say) is not rolled back by a return to the default branch, whose commit is not its ancestor.
{{ dora_with_recursive() }}
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

-- the deployments a rollback may have taken back: those since the first one that shipped its commit (only
-- they can hold it), before the rollback
candidates as (
    select
        r.deployment_key as rollback_deployment_key,
        r.repository,
        r.repository_sequence as rollback_sequence,
        r.deployed_at as rolled_back_at,
        r.deployed_sha as target_sha,
        r.shipped_sequence,
        d.deployment_key,
        d.deployed_sha
    from rollback_deployments as r
    inner join deployments as d
        on r.repository = d.repository
        and d.repository_sequence > r.shipped_sequence
        and d.repository_sequence < r.repository_sequence
        and d.deployed_sha <> r.deployed_sha
),

-- from each candidate's commit up the parents, looking for the rollback's commit. A commit that has it as an
-- ancestor was first shipped no earlier than it was: the search skips commits shipped before.
search (rollback_deployment_key, deployment_key, repository, shipped_sequence, target_sha, sha) as (
    select rollback_deployment_key, deployment_key, repository, shipped_sequence, target_sha, deployed_sha
    from candidates

    {{ dora_recursive_union() }}

    select s.rollback_deployment_key, s.deployment_key, s.repository, s.shipped_sequence, s.target_sha, p.parent_sha
    from search as s
    inner join {{ ref('int_dora__commit_parents') }} as p
        on s.repository = p.repository
        and s.sha = p.sha
    inner join commit_deployments as cd
        on p.repository = cd.repository
        and p.parent_sha = cd.sha
    where s.sha <> s.target_sha
        and cd.repository_sequence >= s.shipped_sequence
),

ancestors_found as (
    select distinct rollback_deployment_key, deployment_key
    from search
    where sha = target_sha
),

rolled_back as (
    select
        c.deployment_key,
        c.rollback_deployment_key,
        c.rolled_back_at,
        row_number() over (partition by c.deployment_key order by c.rollback_sequence) as rollback_order
    from candidates as c
    inner join ancestors_found as a
        on c.rollback_deployment_key = a.rollback_deployment_key
        and c.deployment_key = a.deployment_key
)

-- a deployment rolled back twice counts once, by the first rollback
select deployment_key, rollback_deployment_key, rolled_back_at
from rolled_back
where rollback_order = 1
