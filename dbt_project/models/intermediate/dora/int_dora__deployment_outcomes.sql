{{ config(materialized='table') }}
-- A table: as a view, the attribution and ancestry views under it ran again for each of its tests.

-- One row per successful production deployment: whether it failed (an attributed incident, a rollback or
-- both), when service was restored, whether it was an unplanned fix (a rollback, or shipping a hotfix or
-- the fix of a defect raised since the previous deployment), and how many changes it shipped.
with
deployments as (
    select * from {{ ref('int_dora__production_deployments') }}
),

incidents as (
    select
        deployment_key,
        count(*) as incident_count,
        min(resolved_at) as first_resolved_at
    from {{ ref('int_dora__incident_attribution') }}
    where deployment_key is not null
    group by deployment_key
),

rollbacks as (
    select * from {{ ref('int_dora__rollbacks') }}
),

-- deployments that take the repository back to an earlier commit
rollback_deployments as (
    select distinct rollback_deployment_key as deployment_key from rollbacks
),

defect_fixes as (
    select deployment_key, count(*) as defect_fix_change_count
    from {{ ref('int_dora__defect_fix_changes') }}
    group by deployment_key
),

changes as (
    select
        deployment_key,
        count(*) as change_count,
        sum(case when is_hotfix then 1 else 0 end) as hotfix_change_count
    from {{ ref('int_dora__changes') }}
    where deployment_key is not null
    group by deployment_key
)

select
    d.deployment_key,
    coalesce(i.incident_count, 0) as incident_count,
    r.rollback_deployment_key,
    -- a deployment fails once, however many incidents or rollbacks point at it
    (i.deployment_key is not null or r.deployment_key is not null) as is_failure,
    case
        when i.deployment_key is not null and r.deployment_key is not null then 'both'
        when i.deployment_key is not null then 'incident'
        when r.deployment_key is not null then 'rollback'
    end as failure_source,
    case
        when i.first_resolved_at is not null and r.rolled_back_at is not null
            then case when i.first_resolved_at < r.rolled_back_at then i.first_resolved_at else r.rolled_back_at end
        else coalesce(i.first_resolved_at, r.rolled_back_at)
    end as restored_at,
    rb.deployment_key is not null as is_rollback,
    coalesce(c.hotfix_change_count, 0) > 0 as ships_hotfix,
    df.deployment_key is not null as ships_defect_fix,
    (rb.deployment_key is not null or coalesce(c.hotfix_change_count, 0) > 0 or df.deployment_key is not null)
        as is_unplanned_fix,
    coalesce(c.change_count, 0) as change_count
from deployments as d
left join incidents as i on d.deployment_key = i.deployment_key
left join rollbacks as r on d.deployment_key = r.deployment_key
left join rollback_deployments as rb on d.deployment_key = rb.deployment_key
left join changes as c on d.deployment_key = c.deployment_key
left join defect_fixes as df on d.deployment_key = df.deployment_key
