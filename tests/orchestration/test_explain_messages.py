"""What `delivery explain` says, on a serving file of one mart cell written by the test: the organisation's
cell is named once, and a team the mart does not know is answered with the teams it does know."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app

# The organisation deployed twice in the month of 2026-06-01, both by `payments`; `checkout` and
# `search-platform` have rows in another month.
SERVING_SQL = """
create schema marts;
create schema mappings;
create schema raw_github;
create table mappings.metric_cells as
    select 'dora_period' as mart_family, 'deployments' as member_set, 'deployment_count' as mart_column,
           'member' as role, cast(null as varchar) as member_filter, 'the count of its deployments' as how_it_adds_up;
create table marts.mart_dora__monthly (grain varchar, grain_key varchar, period_start date, deployment_count int);
insert into marts.mart_dora__monthly values
    ('organisation', 'organisation', '2026-06-01', 2), ('team', 'payments', '2026-06-01', 2),
    ('team', 'checkout', '2026-05-01', 1), ('team', 'search-platform', '2026-05-01', 1),
    ('value_stream', 'Commerce', '2026-06-01', 2);
create table marts.fct_metric_members as
    select * from (values
        ('deployments', 'fct_deployments', 'd1', timestamp '2026-06-02 10:00:00', null::double, 'production',
         'github', 'acme/pay#1', 'github/acme/pay/deployments/page-1.json', 0, '1795836086.352404',
         'payments', 'Commerce', date '2026-06-01', date '2026-06-01'),
        ('deployments', 'fct_deployments', 'd2', timestamp '2026-06-03 10:00:00', null::double, 'production',
         'github', 'acme/pay#2', 'github/acme/pay/deployments/page-1.json', 1, '1795836086.352404',
         'payments', 'Commerce', date '2026-06-01', date '2026-06-01')
    ) as t(member_set, fact_model, fact_key, event_at, value_hours, classification, source_tool,
           source_record_id, _source_file, _record_index, _dlt_load_id, team, value_stream, week_start,
           month_start);
create table raw_github._dlt_loads as
    select '1795836086.352404' as load_id, timestamp '2026-11-28 03:21:38' as inserted_at;
"""


@pytest.fixture(scope="module")
def serving(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explain") / "serving.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(SERVING_SQL)
    return path


def _explain(serving: Path, *arguments: str):
    return CliRunner().invoke(app, ["explain", "deployment_count", "--month", "2026-06", *arguments,
                                    "--warehouse", str(serving)], env={"COLUMNS": "300"})


def test_the_organisations_cell_is_named_once(serving: Path) -> None:
    result = _explain(serving)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "deployment_count of the organisation, month of 2026-06-01: 2 (marts.mart_dora__monthly)" in said
    assert "organisation organisation" not in said
    assert "Rows: 2 member." in said


def test_an_unknown_team_lists_the_teams_of_the_mart(serving: Path) -> None:
    result = _explain(serving, "--team", "Payments")
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert ("mart_dora__monthly has no team 'Payments'. Did you mean 'payments'? "
            "Its teams: checkout, payments, search-platform") in said


def test_a_known_team_without_a_row_in_the_period_says_so(serving: Path) -> None:
    result = _explain(serving, "--team", "checkout")
    assert result.exit_code == 2
    assert "has no row for team 'checkout' in the month of 2026-06-01" in " ".join(result.output.split())
