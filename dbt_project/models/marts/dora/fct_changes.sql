-- One row per change (merged pull request or direct push) with its timestamps and lead time spans.
with
changes as (
    select * from {{ ref('int_dora__changes') }}
),

raw_spans as (
    select
        changes.*,
        {{ dora_hours_between('first_commit_at', 'opened_at') }} as coding_span,
        {{ dora_hours_between('opened_at', 'first_review_at') }} as pickup_span,
        {{ dora_hours_between('first_review_at', 'merged_at') }} as review_span,
        {{ dora_hours_between('merged_at', 'deployed_at') }} as deploy_span,
        {{ dora_hours_between('first_commit_at', 'deployed_at') }} as lead_time_span,
        -- the part of lead time before deployment (coding + pickup + review), known as soon as it merges
        {{ dora_hours_between('first_commit_at', 'merged_at') }} as time_to_merge_span
    from changes
),

spans as (
    select
        raw_spans.*,
        -- a negative span is a clock or data problem: dropped, and counted as a finding
        (
            coding_span < 0 or pickup_span < 0 or review_span < 0 or deploy_span < 0 or lead_time_span < 0
            or time_to_merge_span < 0
        ) as has_negative_span_raw
    from raw_spans
)

select
    cast(s.change_key as {{ dbt.type_string() }}) as change_key,
    cast(s.change_type as {{ dbt.type_string() }}) as change_type,
    cast(s.repository as {{ dbt.type_string() }}) as repository,
    -- a record no seed maps counts under the unmapped team (listed in int_mappings__gaps), a
    -- team without a value stream in mappings/teams.csv under the unmapped value stream
    cast({{ team_or_unmapped('s.team') }} as {{ dbt.type_string() }}) as team,
    cast({{ value_stream_or_unmapped('t.value_stream') }} as {{ dbt.type_string() }}) as value_stream,
    cast(s.pull_number as {{ dbt.type_bigint() }}) as pull_number,
    cast(s.title as {{ dbt.type_string() }}) as title,
    cast(s.author_login as {{ dbt.type_string() }}) as author_login,
    cast(s.is_bot as {{ dbt.type_boolean() }}) as is_bot,
    cast(s.is_hotfix as {{ dbt.type_boolean() }}) as is_hotfix,
    cast(s.change_sha as {{ dbt.type_string() }}) as change_sha,
    cast(s.first_commit_at as {{ dbt.type_timestamp() }}) as first_commit_at,
    cast(s.opened_at as {{ dbt.type_timestamp() }}) as opened_at,
    cast(s.first_review_at as {{ dbt.type_timestamp() }}) as first_review_at,
    cast(s.merged_at as {{ dbt.type_timestamp() }}) as merged_at,
    cast(s.deployed_at as {{ dbt.type_timestamp() }}) as deployed_at,
    cast(s.deployment_key as {{ dbt.type_string() }}) as deployment_key,
    cast(s.is_baseline as {{ dbt.type_boolean() }}) as is_baseline,
    cast(case when s.coding_span >= 0 then s.coding_span end as {{ type_double() }}) as coding_hours,
    cast(case when s.pickup_span >= 0 then s.pickup_span end as {{ type_double() }}) as pickup_hours,
    cast(case when s.review_span >= 0 then s.review_span end as {{ type_double() }}) as review_hours,
    cast(case when s.deploy_span >= 0 then s.deploy_span end as {{ type_double() }}) as deploy_hours,
    cast(case when s.lead_time_span >= 0 then s.lead_time_span end as {{ type_double() }}) as lead_time_hours,
    cast(case when s.time_to_merge_span >= 0 then s.time_to_merge_span end as {{ type_double() }})
        as time_to_merge_hours,
    cast(coalesce(s.has_negative_span_raw, false) as {{ dbt.type_boolean() }}) as has_negative_span,
    -- counted in lead time: deployed, not absorbed by a first deployment, not a bot's, span valid (a pull
    -- request whose commits were not exported has no first commit, so no lead time)
    cast(
        coalesce(
            s.deployment_key is not null and not s.is_baseline and not s.is_bot and s.lead_time_span >= 0,
            false
        ) as {{ dbt.type_boolean() }}
    ) as is_in_lead_time,
    -- counted in time to merge: a pull request, merged (deployed or not yet), not baseline, not a bot's
    cast(
        coalesce(
            s.change_type = 'pull_request' and not s.is_baseline and not s.is_bot and s.time_to_merge_span >= 0,
            false
        ) as {{ dbt.type_boolean() }}
    ) as is_in_time_to_merge,
    {{ fact_lineage_columns('s') }}
from spans as s
left join {{ ref('teams') }} as t on s.team = t.team
