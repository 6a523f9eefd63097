-- One row per change: a merged pull request, or a commit of the default branch pushed without one.
with
pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
    where merged_at is not null
),

pull_request_first_commits as (
    select repository, pull_number, min(authored_at) as first_commit_at
    from {{ ref('stg_github__pull_request_commits') }}
    group by repository, pull_number
),

-- the first review by someone other than the pull request's author
first_reviews as (
    select rv.repository, rv.pull_number, min(rv.submitted_at) as first_review_at
    from {{ ref('stg_github__pull_request_reviews') }} as rv
    inner join pull_requests as pr
        on rv.repository = pr.repository
        and rv.pull_number = pr.pull_number
    where rv.state <> 'PENDING'
        and rv.submitted_at is not null
        and coalesce(rv.reviewer_login, '') <> coalesce(pr.author_login, '')
    group by rv.repository, rv.pull_number
),

pull_request_changes as (
    select
        {{ dbt.concat(["pr.repository", "'#'", "cast(pr.pull_number as " ~ dbt.type_string() ~ ")"]) }}
            as change_key,
        'pull_request' as change_type,
        pr.repository,
        pr.pull_number,
        pr.title,
        pr.author_login,
        pr.head_ref,
        pr.labels_json,
        -- squash merges and merge commits both land this commit on the default branch
        pr.merge_commit_sha as change_sha,
        fc.first_commit_at,
        pr.created_at as opened_at,
        rv.first_review_at,
        pr.merged_at,
        'github' as source_tool,
        pr.node_id as source_record_id,
        pr._source_file,
        pr._record_index,
        pr._dlt_load_id
    from pull_requests as pr
    left join pull_request_first_commits as fc
        on pr.repository = fc.repository
        and pr.pull_number = fc.pull_number
    left join first_reviews as rv
        on pr.repository = rv.repository
        and pr.pull_number = rv.pull_number
),

-- commits of pull requests (their own commits and their merge commits) are not pushes of their own
pull_request_shas as (
    select repository, sha from {{ ref('stg_github__pull_request_commits') }}
    union
    select repository, merge_commit_sha as sha from pull_requests
),

direct_pushes as (
    select
        {{ dbt.concat(["c.repository", "'@'", "c.sha"]) }} as change_key,
        'direct_push' as change_type,
        c.repository,
        cast(null as {{ dbt.type_bigint() }}) as pull_number,
        c.message as title,
        c.author_login,
        cast(null as {{ dbt.type_string() }}) as head_ref,
        cast(null as {{ dbt.type_string() }}) as labels_json,
        c.sha as change_sha,
        c.authored_at as first_commit_at,
        cast(null as {{ dbt.type_timestamp() }}) as opened_at,
        cast(null as {{ dbt.type_timestamp() }}) as first_review_at,
        -- a push lands when committed
        c.committed_at as merged_at,
        'github' as source_tool,
        c.sha as source_record_id,
        c._source_file,
        c._record_index,
        c._dlt_load_id
    from {{ ref('stg_github__commits') }} as c
    left join pull_request_shas as prs
        on c.repository = prs.repository
        and c.sha = prs.sha
    where prs.sha is null
),

changes as (
    select * from pull_request_changes
    union all
    select * from direct_pushes
)

select
    ch.change_key,
    ch.change_type,
    ch.repository,
    rt.team,
    ch.pull_number,
    ch.title,
    ch.author_login,
    coalesce({{ dora_regexp_matches('ch.author_login', "'" ~ var('bot_login_pattern') ~ "'") }}, false) as is_bot,
    (
        coalesce({{ dora_regexp_matches('ch.head_ref', "'" ~ var('dora_hotfix_branch_pattern') ~ "'") }}, false)
        {%- for label in var('dora_hotfix_labels') %}
        or coalesce(lower(ch.labels_json) like '%"{{ label | lower }}"%', false)
        {%- endfor %}
    ) as is_hotfix,
    ch.head_ref,
    ch.change_sha,
    ch.first_commit_at,
    ch.opened_at,
    ch.first_review_at,
    ch.merged_at,
    cd.deployment_key,
    cd.deployed_at,
    coalesce(cd.repository_sequence = 1, false) as is_baseline,
    ch.source_tool,
    ch.source_record_id,
    ch._source_file,
    ch._record_index,
    ch._dlt_load_id
from changes as ch
left join {{ ref('repository_teams') }} as rt on lower(ch.repository) = lower(rt.repository)
left join {{ ref('int_dora__commit_deployments') }} as cd
    on ch.repository = cd.repository
    and ch.change_sha = cd.sha
