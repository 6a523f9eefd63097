{{ config(materialized='table') }}
-- One row per commit of the graph shipped by a production deployment: the first deployment whose deployed
-- commit has it as an ancestor (or is it).
--
-- Each deployment's walk goes up the parents and stops at any commit known to be shipped by an earlier
-- deployment of the same repository: everything above such a commit shipped already. Known before the
-- walk (int_dora__deployed_first_parent_lines): the commits earlier deployments deployed and their
-- first-parent lines, the default branch's own history down to the deployment before. Stopping at deployed
-- commits alone is not enough: a pull request's branch forks from an older commit of the default branch,
-- and walking down it and the branches merged before it would revisit most of the history at every
-- deployment. With the first-parent lines, each commit is visited about once per repository and the cost
-- grows with commits + deployments. Both inputs are tables: each step of the walk joins them.
{{ dora_with_recursive() }}
deployments as (
    select deployment_key, repository, deployed_sha, deployed_at, repository_sequence
    from {{ ref('int_dora__production_deployments') }}
),

parents as (
    select repository, sha, parent_sha
    from {{ ref('int_dora__commit_parents') }}
),

-- (repository, sha, sequence of the first deployment that deployed exactly this commit)
deployed_commits as (
    select repository, deployed_sha as sha, min(repository_sequence) as first_sequence
    from deployments
    group by repository, deployed_sha
),

-- a redeploy of an already deployed commit ships nothing new
first_deploys as (
    select d.deployment_key, d.repository, d.repository_sequence, d.deployed_sha
    from deployments as d
    inner join deployed_commits as dc
        on d.repository = dc.repository
        and d.deployed_sha = dc.sha
    where dc.first_sequence = d.repository_sequence
),

-- (repository, sha, the first deployment whose first-parent line holds it): shipped by that one at the latest
known_shipped as (
    select repository, sha, repository_sequence as first_sequence
    from {{ ref('int_dora__deployed_first_parent_lines') }}
),

walk (deployment_key, repository, repository_sequence, sha) as (
    select deployment_key, repository, repository_sequence, deployed_sha
    from first_deploys

    {{ dora_recursive_union() }}

    select w.deployment_key, w.repository, w.repository_sequence, p.parent_sha
    from walk as w
    inner join parents as p
        on w.repository = p.repository
        and w.sha = p.sha
    left join known_shipped as ks
        on p.repository = ks.repository
        and p.parent_sha = ks.sha
    where ks.first_sequence is null or ks.first_sequence >= w.repository_sequence
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
