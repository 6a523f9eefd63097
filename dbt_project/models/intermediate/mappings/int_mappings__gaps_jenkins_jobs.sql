-- Builds of Jenkins jobs named like deploy jobs (`deploy` in the path) that no jenkins_deployment_rules row
-- covers: likely missed deployments.
with

jenkins_builds as (

    select * from {{ ref('stg_jenkins__builds') }}

),

jenkins_ruled_builds as (

    select distinct jenkins_builds.build_key
    from jenkins_builds
    inner join {{ ref('jenkins_deployment_rules') }} as rules
        on lower(jenkins_builds.controller) = lower(rules.controller)
        and {{ dora_regexp_matches('jenkins_builds.job_path', 'rules.job_path_pattern') }}

),

unmapped_jenkins_job_records as (

    select
        {{ mapping_gap_record({
            'mapping_kind': "'jenkins_deployment_rule'",
            'mapping_file': "'jenkins_deployment_rules'",
            'unmapped_value': dbt.concat(["jenkins_builds.controller", "'/'", "jenkins_builds.job_path"]),
            'source_tool': "'jenkins'",
            'record_model': "'stg_jenkins__builds'",
            'record_id': 'jenkins_builds.build_key',
        }) }}
    from jenkins_builds
    left join jenkins_ruled_builds
        on jenkins_builds.build_key = jenkins_ruled_builds.build_key
    where jenkins_ruled_builds.build_key is null
        and {{ dora_regexp_matches('jenkins_builds.job_path', "'deploy'") }}

)

{{ mapping_gaps_per_value('unmapped_jenkins_job_records') }}
