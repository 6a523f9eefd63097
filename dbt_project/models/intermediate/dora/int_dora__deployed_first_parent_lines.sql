{{ config(materialized='table') }}
-- One row per repository and commit on the first-parent line of a production deployment's commit (the
-- default branch's own history, down to a commit an earlier deployment deployed): the first deployment whose
-- line holds it. Such a commit is an ancestor of that deployment's commit, so shipped by it at the latest;
-- the ancestry walk (int_dora__commit_deployments) stops there. A table, read at every step of that walk.
{{ dora_with_recursive() }}
deployments as (
    select repository, deployed_sha, repository_sequence
    from {{ ref('int_dora__production_deployments') }}
),

parents as (
    select repository, sha, parent_sha
    from {{ ref('int_dora__commit_parents') }}
    where parent_index = 0
),

-- (repository, sha, sequence of the first deployment that deployed exactly this commit)
deployed_commits as (
    select repository, deployed_sha as sha, min(repository_sequence) as first_sequence
    from deployments
    group by repository, deployed_sha
),

first_parent_line (repository, repository_sequence, sha) as (
    select repository, first_sequence, sha
    from deployed_commits

    {{ dora_recursive_union() }}

    select l.repository, l.repository_sequence, p.parent_sha
    from first_parent_line as l
    inner join parents as p
        on l.repository = p.repository
        and l.sha = p.sha
    left join deployed_commits as dc
        on p.repository = dc.repository
        and p.parent_sha = dc.sha
    where dc.first_sequence is null or dc.first_sequence >= l.repository_sequence
)

select
    repository,
    sha,
    min(repository_sequence) as repository_sequence
from first_parent_line
group by repository, sha
