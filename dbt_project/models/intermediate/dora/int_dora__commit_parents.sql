{{ config(materialized='table') }}
-- One row per commit and parent: the commit graph the ancestry walk (int_dora__commit_deployments) reads,
-- GitHub repositories and GitLab projects (by project path). Azure Repos exports no commit graph, but each
-- completed pull request names the target branch's tip it merged onto (lastMergeTargetCommit): the first
-- parent of its merge commit. Those edges chain the merge commits, so a deployment ships every pull request
-- merged before the one it deployed; a push to the branch outside pull requests stays a gap in the line.
-- Stored once as a table: every step of the recursive walk joins it, and reading the staging views there would
-- deduplicate the raw rows again at every step (the walk takes hundreds of steps on a busy repository).
select
    repository,
    sha,
    parent_sha,
    parent_index
from {{ ref('stg_github__commit_parents') }}
where parent_sha is not null

union all

select
    project_path as repository,
    sha,
    parent_sha,
    parent_index
from {{ ref('stg_gitlab__commit_parents') }}
where parent_sha is not null

union all

select
    {{ dbt.concat(["organization", "'/'", "project", "'/'", "repository_name"]) }} as repository,
    merge_commit_id as sha,
    last_merge_target_commit_id as parent_sha,
    1 as parent_index
from {{ ref('stg_azure_devops__pull_requests') }}
where merge_commit_id is not null
    and last_merge_target_commit_id is not null
