{{ config(materialized='table') }}
-- One row per commit and parent: the commit graph the ancestry walk (int_dora__commit_deployments) reads,
-- GitHub repositories and GitLab projects (by project path). Azure DevOps exports no commit parents: its
-- deployments ship the changes whose landed commit they deployed, nothing found by ancestry.
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
