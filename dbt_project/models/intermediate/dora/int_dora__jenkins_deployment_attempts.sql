-- One row per build of a Jenkins job a jenkins_deployment_rules row names, deploying the rule's repository.
with

-- builds of the jobs a rule names, with the rule's parameter value (one rule per build: the first whose
-- parameter matches, else the first by repository)
jenkins_rule_matches as (

    select
        b.*,
        r.repository,
        r.parameter_name,
        {{ dora_json_text_field('b.parameters_json', 'r.parameter_name') }} as parameter_value,
        coalesce(
            nullif(r.parameter_name, '') is null
            or {{ dora_regexp_matches(
                dora_json_text_field('b.parameters_json', 'r.parameter_name'), 'r.parameter_value_pattern'
            ) }},
            false
        ) as is_production_rule_match
    from {{ ref('stg_jenkins__builds') }} as b
    inner join {{ ref('jenkins_deployment_rules') }} as r
        on lower(b.controller) = lower(r.controller)
        and {{ dora_regexp_matches('b.job_path', 'r.job_path_pattern') }}

),

jenkins_rule_ranked as (

    select
        jenkins_rule_matches.*,
        row_number() over (
            partition by build_key order by case when is_production_rule_match then 0 else 1 end, repository
        ) as rule_rank
    from jenkins_rule_matches

),

jenkins_deployments as (

    {%- set jenkins_build_id = dbt.concat(["j.controller", "'/'", "j.job_path", "'#'",
        "cast(j.build_number as " ~ dbt.type_string() ~ ")"]) %}
    select
        {{ dbt.concat(["'jenkins_build:'", jenkins_build_id]) }} as deployment_key,
        'jenkins_build' as deployment_source,
        {{ jenkins_build_id }} as source_id,
        j.repository,
        -- the environment parameter's value, when the rule names one
        j.parameter_value as environment,
        j.git_sha as deployed_sha,
        j.git_branch as deployed_ref,
        j.started_at,
        case when j.result = 'SUCCESS' then j.finished_at end as deployed_at,
        j.finished_at,
        false as is_deployed_at_approximate,
        -- the rule decides: its parameter matches the production value pattern (or it names no parameter)
        j.is_production_rule_match as is_production_by_source,
        coalesce(j.result = 'SUCCESS', false) as is_success,
        case
            when j.result = 'SUCCESS' then 'success'
            when j.result = 'FAILURE' then 'failure'
            when j.result is not null then lower(j.result)
            else 'unfinished'
        end as outcome,
        {{ fact_lineage_columns('j', "'jenkins'", jenkins_build_id) }}
    from jenkins_rule_ranked as j
    where j.rule_rank = 1

)

select * from jenkins_deployments
