-- One row per repository seen in any tool or listed in repository_teams: its team and production
-- environment pattern. A GitLab project missing from repository_teams takes the team of the longest
-- gitlab_group_teams group path that prefixes its path (groups nest, the deepest one is the most specific).
with
seen as (
    select repository, 'github' as source_tool from {{ ref('stg_github__pull_requests') }}
    union
    select repository, 'github' as source_tool from {{ ref('stg_github__commits') }}
    union
    select repository, 'github' as source_tool from {{ ref('stg_github__deployments') }}
    union
    select repository, 'github' as source_tool from {{ ref('stg_github__workflow_runs') }}
    union
    select project_path, 'gitlab' as source_tool from {{ ref('stg_gitlab__merge_requests') }}
    union
    select project_path, 'gitlab' as source_tool from {{ ref('stg_gitlab__commits') }}
    union
    select project_path, 'gitlab' as source_tool from {{ ref('stg_gitlab__deployments') }}
    union
    select repository, source_tool from {{ ref('int_dora__pull_requests') }} where source_tool = 'azure_devops'
    union
    select repository, 'azure_devops' as source_tool
    from {{ ref('stg_azure_devops__builds') }}
    where repository is not null
    union
    -- a Jenkins deploy job deploys the repository its rule names (often a GitLab project)
    select repository, 'jenkins' as source_tool from {{ ref('jenkins_deployment_rules') }}
),

seeded as (
    select
        lower(repository) as repository_key,
        repository,
        team,
        nullif(production_environment_pattern, '') as production_environment_pattern,
        nullif(deploy_workflow_path, '') as deploy_workflow_path
    from {{ ref('repository_teams') }}
),

repositories as (
    select
        lower(repository) as repository_key,
        min(repository) as repository,
        max(case when source_tool = 'gitlab' then 1 else 0 end) = 1 as is_gitlab_project
    from seen
    where repository is not null
    group by lower(repository)
),

all_repositories as (
    select
        coalesce(s.repository_key, r.repository_key) as repository_key,
        coalesce(s.repository, r.repository) as repository,
        coalesce(r.is_gitlab_project, false) as is_gitlab_project
    from repositories as r
    full outer join seeded as s on r.repository_key = s.repository_key
),

-- the groups whose path prefixes a GitLab project's path, deepest first
group_matches as (
    select
        a.repository_key,
        g.group_path,
        g.team,
        row_number() over (
            partition by a.repository_key order by {{ dbt.length('g.group_path') }} desc, g.group_path
        ) as depth_rank
    from all_repositories as a
    inner join {{ ref('gitlab_group_teams') }} as g
        on {{ dbt.position(dbt.concat(["lower(g.group_path)", "'/'"]), 'a.repository_key') }} = 1
    where a.is_gitlab_project
)

select
    a.repository_key,
    a.repository,
    coalesce(s.team, g.team) as team,
    case
        when s.team is not null then 'repository_teams'
        when g.team is not null then 'gitlab_group_teams'
    end as team_source,
    g.group_path as gitlab_group_path,
    coalesce(s.production_environment_pattern, '{{ var("default_production_environment_pattern") }}')
        as production_environment_pattern,
    s.deploy_workflow_path
from all_repositories as a
left join seeded as s on a.repository_key = s.repository_key
left join group_matches as g
    on a.repository_key = g.repository_key
    and g.depth_rank = 1
