-- One row per change that fixes a defect raised since the previous production deployment: a pull request
-- (GitHub, GitLab, Azure DevOps) naming a defect-type Jira work item (its key in the title or the head
-- branch) created after the previous production deployment of the deployment that ships the change.
with
-- the first Jira key of the title and of the branch: an equality join, not a scan of every key in every text
named_keys as (
    select source_tool, repository, pull_number,
        {{ regexp_extract_first("upper(coalesce(title, ''))", "'(^|[^A-Z0-9])([A-Z][A-Z0-9]*-[0-9]+)'", 2) }}
            as issue_key
    from {{ ref('int_dora__pull_requests') }}
    union
    select source_tool, repository, pull_number,
        {{ regexp_extract_first("upper(coalesce(head_ref, ''))", "'(^|[^A-Z0-9])([A-Z][A-Z0-9]*-[0-9]+)'", 2) }}
            as issue_key
    from {{ ref('int_dora__pull_requests') }}
),

defect_links as (
    select
        k.source_tool,
        k.repository,
        k.pull_number,
        issues.created_at as defect_created_at
    from named_keys as k
    inner join {{ ref('stg_jira__issues') }} as issues on k.issue_key = upper(issues.issue_key)
    inner join {{ ref('issue_type_flow_items') }} as types
        on lower(trim(issues.issue_type)) = lower(trim(types.issue_type))
    where types.flow_item = 'defect'
),

shipped as (
    select
        ch.change_key,
        ch.source_tool,
        ch.repository,
        ch.pull_number,
        ch.deployment_key,
        d.previous_deployment_key,
        previous.deployed_at as previous_deployed_at
    from {{ ref('int_dora__changes') }} as ch
    inner join {{ ref('int_dora__production_deployments') }} as d on ch.deployment_key = d.deployment_key
    -- a first known deployment has no previous one: what it ships is baseline, not rework
    inner join {{ ref('int_dora__production_deployments') }} as previous
        on d.previous_deployment_key = previous.deployment_key
    where ch.change_type = 'pull_request'
)

select
    s.change_key,
    s.deployment_key,
    min(l.defect_created_at) as first_defect_created_at
from shipped as s
inner join defect_links as l
    on s.source_tool = l.source_tool
    and s.repository = l.repository
    and s.pull_number = l.pull_number
where l.defect_created_at > s.previous_deployed_at
group by s.change_key, s.deployment_key
