{{ config(materialized='table') }}
-- One row per commit and parent: the commit graph the ancestry walk (int_dora__commit_deployments) reads.
-- Stored once as a table: every step of the recursive walk joins it, and reading the staging view there would
-- deduplicate the raw rows again at every step (the walk takes hundreds of steps on a busy repository).
select
    repository,
    sha,
    parent_sha,
    parent_index
from {{ ref('stg_github__commit_parents') }}
where parent_sha is not null
