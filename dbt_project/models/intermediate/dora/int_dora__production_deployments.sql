-- One row per successful production deployment, numbered per repository in deployed_at order.
with
production as (
    select
        deployment_key,
        repository,
        team,
        deployed_sha,
        deployed_at
    from {{ ref('int_dora__deployment_attempts') }}
    where is_production and is_success
),

numbered as (
    select
        production.*,
        row_number() over (
            partition by repository order by deployed_at, deployment_key
        ) as repository_sequence
    from production
)

select
    n.deployment_key,
    n.repository,
    n.team,
    n.deployed_sha,
    n.deployed_at,
    n.repository_sequence,
    -- the first deployment seen has no known predecessor: what it ships is the repository's history
    n.repository_sequence = 1 as is_first_known,
    p.deployment_key as previous_deployment_key,
    p.deployed_sha as previous_deployed_sha
from numbered as n
left join numbered as p
    on n.repository = p.repository
    and n.repository_sequence = p.repository_sequence + 1
