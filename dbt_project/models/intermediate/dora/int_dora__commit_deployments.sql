{{ config(materialized='table') }}
-- One row per commit of the graph shipped by a production deployment: the first deployment whose deployed
-- commit has it as an ancestor (or is it).
--
-- Each deployment's walk goes up the parents and stops at any commit an earlier deployment of the same
-- repository deployed: everything above it shipped already. Each commit is then visited about once per
-- repository, so the cost grows with commits + deployments, not commits x deployments.
{{ dora_with_recursive() }}
deployments as (
    select deployment_key, repository, deployed_sha, deployed_at, repository_sequence
    from {{ ref('int_dora__production_deployments') }}
),

parents as (
    select repository, sha, parent_sha
    from {{ ref('stg_github__commit_parents') }}
),

-- (repository, sha, sequence of the first deployment that deployed exactly this commit)
deployed_commits as (
    select repository, deployed_sha as sha, min(repository_sequence) as first_sequence
    from deployments
    group by repository, deployed_sha
),

walk (deployment_key, repository, repository_sequence, sha) as (
    select d.deployment_key, d.repository, d.repository_sequence, d.deployed_sha
    from deployments as d
    inner join deployed_commits as dc
        on d.repository = dc.repository
        and d.deployed_sha = dc.sha
    -- a redeploy of an already deployed commit ships nothing new
    where dc.first_sequence = d.repository_sequence

    union

    select w.deployment_key, w.repository, w.repository_sequence, p.parent_sha
    from walk as w
    inner join parents as p
        on w.repository = p.repository
        and w.sha = p.sha
    left join deployed_commits as dc
        on p.repository = dc.repository
        and p.parent_sha = dc.sha
    where dc.first_sequence is null or dc.first_sequence >= w.repository_sequence
),

first_deployment as (
    select repository, sha, min(repository_sequence) as repository_sequence
    from walk
    group by repository, sha
)

select
    f.repository,
    f.sha,
    d.deployment_key,
    d.deployed_at,
    f.repository_sequence
from first_deployment as f
inner join deployments as d
    on f.repository = d.repository
    and f.repository_sequence = d.repository_sequence
