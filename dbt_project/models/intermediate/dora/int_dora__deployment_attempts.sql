{#
    One row per deployment attempt of every deployment tool, with the repository's team and whether it
    deployed to production. Each tool has its model (int_dora__<tool>_deployment_attempts) in the same
    columns, where the tool's own rule may already decide production (is_production_by_source); a new tool
    is one more model, named in the list below.
#}
{%- set attempt_models = [
    'int_dora__github_deployment_attempts',
    'int_dora__gitlab_deployment_attempts',
    'int_dora__azure_devops_deployment_attempts',
    'int_dora__jenkins_deployment_attempts',
] %}
with

repositories as (

    select * from {{ ref('int_dora__repository_teams') }}

),

attempts as (

    {%- for attempt_model in attempt_models %}
    select * from {{ ref(attempt_model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select
    a.deployment_key,
    a.deployment_source,
    a.source_id,
    a.repository,
    r.team,
    a.environment,
    case
        when a.is_production_by_source is not null then a.is_production_by_source
        -- a repository missing from the seed gets the default pattern (and shows in int_mappings__gaps)
        else coalesce({{ dora_regexp_matches(
            'a.environment',
            "coalesce(r.production_environment_pattern, '" ~ var('default_production_environment_pattern') ~ "')"
        ) }}, false)
    end as is_production,
    a.deployed_sha,
    a.deployed_ref,
    a.started_at,
    a.deployed_at,
    a.finished_at,
    a.is_deployed_at_approximate,
    coalesce(a.is_success, false) as is_success,
    a.outcome,
    {{ fact_lineage_columns('a') }}
from attempts as a
left join repositories as r on lower(a.repository) = r.repository_key
