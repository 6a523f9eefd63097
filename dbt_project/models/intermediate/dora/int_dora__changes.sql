-- One row per change: a merged pull request (GitHub pull request, GitLab merge request, completed Azure DevOps
-- pull request), or a default-branch commit pushed without one (GitHub, GitLab).
with
pull_requests as (
    select * from {{ ref('int_dora__pull_requests') }}
    where merged_at is not null
),

-- every tool's pull request commits, keyed like int_dora__pull_requests
pull_request_commits as (
    select 'github' as source_tool, repository, pull_number, sha, authored_at
    from {{ ref('stg_github__pull_request_commits') }}
    union all
    select 'gitlab' as source_tool, project_path, merge_request_iid, sha, authored_at
    from {{ ref('stg_gitlab__merge_request_commits') }}
    union all
    -- Azure DevOps pull request ids are unique in an organization: the pull request gives the repository
    select
        'azure_devops' as source_tool,
        {{ dbt.concat(["pr.organization", "'/'", "pr.project", "'/'", "pr.repository_name"]) }},
        c.pull_request_id,
        c.commit_id,
        c.authored_at
    from {{ ref('stg_azure_devops__pull_request_commits') }} as c
    inner join {{ ref('stg_azure_devops__pull_requests') }} as pr
        on c.organization = pr.organization
        and c.pull_request_id = pr.pull_request_id
),

pull_request_first_commits as (
    select source_tool, repository, pull_number, min(authored_at) as first_commit_at
    from pull_request_commits
    group by source_tool, repository, pull_number
),

-- review verdicts with their time: GitHub reviews, GitLab approval and change-request notes. Azure DevOps
-- reviewer votes carry no time, so its pull requests have no first review.
reviews as (
    select 'github' as source_tool, repository, pull_number, reviewer_login, submitted_at as reviewed_at
    from {{ ref('stg_github__pull_request_reviews') }}
    where state <> 'PENDING'
    union all
    select 'gitlab' as source_tool, project_path, merge_request_iid, reviewer_username, reviewed_at
    from {{ ref('stg_gitlab__merge_request_reviews') }}
    where review_action in ('approved', 'requested_changes')
),

-- the first review by someone other than the pull request's author
first_reviews as (
    select rv.source_tool, rv.repository, rv.pull_number, min(rv.reviewed_at) as first_review_at
    from reviews as rv
    inner join pull_requests as pr
        on rv.source_tool = pr.source_tool
        and rv.repository = pr.repository
        and rv.pull_number = pr.pull_number
    where rv.reviewed_at is not null
        and coalesce(rv.reviewer_login, '') <> coalesce(pr.author_login, '')
    group by rv.source_tool, rv.repository, rv.pull_number
),

pull_request_changes as (
    select
        case
            when pr.source_tool = 'github'
                then {{ dbt.concat(["pr.repository", "'#'", "cast(pr.pull_number as " ~ dbt.type_string() ~ ")"]) }}
            -- GitLab's own reference style (`group/project!iid`), used for Azure DevOps too
            else {{ dbt.concat(["pr.repository", "'!'", "cast(pr.pull_number as " ~ dbt.type_string() ~ ")"]) }}
        end as change_key,
        'pull_request' as change_type,
        pr.repository,
        pr.pull_number,
        pr.title,
        pr.author_login,
        pr.head_ref,
        pr.labels_json,
        -- squash merges and merge commits both land this commit on the default branch
        pr.landed_sha as change_sha,
        fc.first_commit_at,
        pr.created_at as opened_at,
        rv.first_review_at,
        pr.merged_at,
        pr.source_tool,
        pr.source_record_id,
        pr._source_file,
        pr._record_index,
        pr._dlt_load_id
    from pull_requests as pr
    left join pull_request_first_commits as fc
        on pr.source_tool = fc.source_tool
        and pr.repository = fc.repository
        and pr.pull_number = fc.pull_number
    left join first_reviews as rv
        on pr.source_tool = rv.source_tool
        and pr.repository = rv.repository
        and pr.pull_number = rv.pull_number
),

-- commits of pull requests (their own commits and the commits they landed) are not pushes of their own
pull_request_shas as (
    select repository, sha from pull_request_commits
    union
    select repository, landed_sha as sha from pull_requests
),

-- default-branch commits; Azure DevOps exports none, so it has no direct pushes
default_branch_commits as (
    select
        'github' as source_tool,
        repository,
        sha,
        message,
        author_login,
        authored_at,
        committed_at,
        _source_file,
        _record_index,
        _dlt_load_id
    from {{ ref('stg_github__commits') }}
    union all
    select
        'gitlab' as source_tool,
        project_path,
        sha,
        message,
        -- GitLab commits carry the author's name, not a username
        author_name,
        authored_at,
        committed_at,
        _source_file,
        _record_index,
        _dlt_load_id
    from {{ ref('stg_gitlab__commits') }}
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
        c.source_tool,
        c.sha as source_record_id,
        c._source_file,
        c._record_index,
        c._dlt_load_id
    from default_branch_commits as c
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
left join {{ ref('int_dora__repository_teams') }} as rt on lower(ch.repository) = rt.repository_key
left join {{ ref('int_dora__commit_deployments') }} as cd
    on ch.repository = cd.repository
    and ch.change_sha = cd.sha
