"""A small warehouse whose records leave one gap of every kind, built with dbt for real.

The raw tables are created as their loaders create them (tests/toolchain_exports.raw_ddl) and filled by
hand with the few rows below; the mapping seeds are the project's, plus one component row (PAY/Refunds ->
payments) inserted after `dbt seed`, so that project PAY names components in its team rows, and one
Jenkins deployment rule.

Jira (project PAY maps to payments, OPS to no team):
    id 1  PAY-1  Story  In Progress  assignee acct-zoe "Zoe Example"  components [Refunds]
    id 2  PAY-2  Story  Parked       assignee acct-zoe                components [Ledger]
          changelog: status Backlog -> Parked
    id 3  PAY-3  Spike  Backlog      assignee PAYMENTS_ENGINEER       components [Ledger, Refunds]
          changelog: assignee acct-yan "Yan Example" -> PAYMENTS_ENGINEER
    id 4  OPS-1  Spike  Parked       no assignee                      components [Ledger]
Azure Boards: work item 7001 in acme/Ops, area Ops\\Infra, type Spike, state Parked, assigned to aad-1
"Ana Example".
GitHub: pull requests 501 and 502 in acme/unknown-repo. GitLab: merge request 9901 in acme/newgroup/tool.
Jenkins: build 1 of ci.fixture.example/app/deploy, which a deployment rule inserted after `dbt seed` makes a
deployment of acme/jenkins-app, a repository no mapping names.
PagerDuty: incidents Q1 and Q2 on service PNEW001 "New Service". Opsgenie: incident og-1 owned by og-new.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.models.dbt_runner import dbt_build, run_dbt
from tests.toolchain_exports import raw_ddl

PAYMENTS_ENGINEER = "1b128fd8441dfab5a4bc478a"  # flow_people_teams: payments
LOAD = "1772409600.000000"  # 2026-03-02, the one load every row comes from
AT = "2026-03-02 10:00:00+00"


def _row(index: int) -> str:
    """The lineage columns every raw row ends with."""
    return f"'fixture.json', {index}, '{LOAD}', 'dlt-{index}'"


INSERTS = f"""
insert into raw_jira.issues (issue_id, issue_key, project_key, project_name, issue_type,
    issue_type_hierarchy_level, is_subtask, status_id, status_name, status_category_key, summary,
    assignee_account_id, assignee_display_name, components, created_at, updated_at,
    _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('1', 'PAY-1', 'PAY', 'Payments', 'Story', 0, false, '3', 'In Progress', 'indeterminate', 'one',
     'acct-zoe', 'Zoe Example', '["Refunds"]', '{AT}', '{AT}', {_row(0)}),
    ('2', 'PAY-2', 'PAY', 'Payments', 'Story', 0, false, '10099', 'Parked', 'new', 'two',
     'acct-zoe', 'Zoe Example', '["Ledger"]', '{AT}', '{AT}', {_row(1)}),
    ('3', 'PAY-3', 'PAY', 'Payments', 'Spike', 0, false, '10000', 'Backlog', 'new', 'three',
     '{PAYMENTS_ENGINEER}', 'Pat Payments', '["Ledger", "Refunds"]', '{AT}', '{AT}', {_row(2)}),
    ('4', 'OPS-1', 'OPS', 'Operations', 'Spike', 0, false, '10099', 'Parked', 'new', 'four',
     null, null, '["Ledger"]', '{AT}', '{AT}', {_row(3)});

insert into raw_jira.changelog_items (issue_id, issue_key, history_id, item_index, created_at, field,
    field_type, from_value, from_string, to_value, to_string,
    _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('2', 'PAY-2', 'h1', 0, '2026-03-02 11:00:00+00', 'status', 'jira', '10000', 'Backlog', '10099', 'Parked',
     {_row(4)}),
    ('3', 'PAY-3', 'h2', 0, '2026-03-02 11:00:00+00', 'assignee', 'jira', 'acct-yan', 'Yan Example',
     '{PAYMENTS_ENGINEER}', 'Pat Payments', {_row(5)});

insert into raw_azure_devops.work_items (organization, project, work_item_id, rev, work_item_type, state,
    title, team_project, area_path, iteration_path, assigned_to_display_name, assigned_to_id, created_at,
    changed_at, _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('acme', 'Ops', 7001, 1, 'Spike', 'Parked', 'seven', 'Ops', 'Ops\\Infra', 'Ops', 'Ana Example', 'aad-1',
     '{AT}', '{AT}', {_row(6)});

insert into raw_github.pull_requests (repository, pull_request_id, number, state, title, author_login,
    head_ref, base_ref, created_at, updated_at, _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('acme/unknown-repo', 501, 1, 'open', 'one', 'dev', 'feature/one', 'main', '{AT}', '{AT}', {_row(7)}),
    ('acme/unknown-repo', 502, 2, 'open', 'two', 'dev', 'feature/two', 'main', '{AT}', '{AT}', {_row(8)});

insert into raw_gitlab.merge_requests (project_path, merge_request_id, iid, project_id, title, state,
    source_branch, target_branch, author_username, created_at, updated_at,
    _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('acme/newgroup/tool', 9901, 1, 99, 'one', 'opened', 'feature/one', 'main', 'dev', '{AT}', '{AT}',
     {_row(9)});

insert into raw_pagerduty.incidents (incident_id, incident_number, title, status, urgency, service_id,
    service_summary, created_at, updated_at, version_at, _source_file, _record_index, _dlt_load_id, _dlt_id)
    values
    ('Q1', 1, 'one', 'resolved', 'high', 'PNEW001', 'New Service', '{AT}', '{AT}', '{AT}', {_row(10)}),
    ('Q2', 2, 'two', 'resolved', 'high', 'PNEW001', 'New Service', '{AT}', '{AT}', '{AT}', {_row(11)});

insert into raw_jenkins.builds (controller, job_path, build_number, build_id, result, is_building,
    started_at_ms, duration_ms, parameters, _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('ci.fixture.example', 'app/deploy', 1, '1', 'SUCCESS', false, 1772445600000, 60000, '{{}}', {_row(13)});

insert into raw_opsgenie.incidents (incident_id, tiny_id, message, status, priority, owner_team_id,
    created_at, updated_at, _source_file, _record_index, _dlt_load_id, _dlt_id) values
    ('og-1', '1', 'one', 'resolved', 'P1', 'og-new', '{AT}', '{AT}', {_row(12)});
"""

MAPPING_ROWS = (
    "insert into mappings.jira_project_teams (project_key, component, team) values ('PAY', 'Refunds', 'payments')",
    ("insert into mappings.jenkins_deployment_rules (controller, job_path_pattern, repository) "
    "values ('ci.fixture.example', '^app/deploy$', 'acme/jenkins-app')"),
)


def build_gap_warehouse(work: Path) -> Path:
    """The fixture above, built up to int_mappings__gaps; returns the warehouse file."""
    from ingestion.sources import TOOLS

    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "delivery.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(raw_ddl(tuple(TOOLS)))
        con.execute(INSERTS)
    seeded = run_dbt(["seed"], work, warehouse)
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    with duckdb.connect(str(warehouse)) as con:
        for row in MAPPING_ROWS:
            con.execute(row)
    dbt_build(work, warehouse, "+int_mappings__gaps", "--exclude", "resource_type:seed")
    return warehouse
