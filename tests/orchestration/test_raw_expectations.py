"""The raw suites after a validation read only what the new loads could have changed, and still catch what
those loads broke: a lost row (systemic), a value outside the vocabulary or an unknown reference
(record-level, named with its count)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.pipelines import load_tool
from ingestion.sources import TOOLS, tables_of
from orchestration.defs.checks.raw_expectations import (
    PassedValidation,
    validate_record_rules,
    validate_table_rules,
)
from orchestration.lib.raw_tables import table_state
from tests.conftest import REAL_SAMPLES, query

REPOSITORY = Path("github/panjf2000/ants")
GITHUB_TABLES = tables_of(TOOLS["github"][1])
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _systemic(warehouse: Path, table: str, passed: PassedValidation | None):
    return validate_table_rules(warehouse, "raw_github", GITHUB_TABLES[table], passed)


def _records(warehouse: Path, table: str, passed: PassedValidation | None):
    after = passed.newest_load_id if passed else None
    return validate_record_rules(warehouse, "raw_github", GITHUB_TABLES[table], after, NOW)


def _passed(warehouse: Path, table: str) -> PassedValidation:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return PassedValidation(*table_state(con, f"raw_github.{table}"))


def _failed(outcome) -> dict[str, list]:
    return {failure.rule: failure.unexpected_sample for failure in outcome.failed}


IN_SET = "expect_column_values_to_be_in_set {'column': '%s'}"


@pytest.fixture(scope="module")
def later_day(tmp_path_factory: pytest.TempPathFactory):
    """The real GitHub samples, loaded and validated whole (they pass), then a later day's exports:
    a new version of one pull request, in a state GitHub never emits, and two reviews of an unknown one
    (whose page has not arrived yet)."""
    root = tmp_path_factory.mktemp("later-day")
    exports, warehouse = root / "exports", root / "w.duckdb"
    shutil.copytree(REAL_SAMPLES / "github", exports / "github")
    load_tool("github", exports, warehouse)
    passed = {table: _passed(warehouse, table) for table in ("pull_requests", "pull_request_reviews")}
    for table in passed:
        assert _systemic(warehouse, table, None).success and _records(warehouse, table, None).success

    pulls = json.loads(next((exports / REPOSITORY / "pulls").glob("*.json")).read_text())
    newer = {**pulls[0], "state": "merged", "updated_at": "2026-11-01T00:00:00Z"}
    (exports / REPOSITORY / "pulls" / "page-2.json").write_text(json.dumps([newer]))
    review = json.loads(next((exports / REPOSITORY / "pull_reviews").glob("*.json")).read_text())[0]
    reviews = [review, {**review, "id": review["id"] + 1}]
    (exports / REPOSITORY / "pull_reviews" / "999999.json").write_text(json.dumps(reviews))
    load_tool("github", exports, warehouse)
    return warehouse, passed, pulls[0]["number"]


@pytest.fixture
def validated_warehouse(later_day, tmp_path: Path):
    """A copy of the later day's warehouse, for a test to change behind the loads' back."""
    warehouse, passed, number = later_day
    shutil.copy2(warehouse, tmp_path / warehouse.name)
    return tmp_path / warehouse.name, passed, number


def test_after_a_passing_validation_only_the_new_loads_are_read(validated_warehouse):
    warehouse, passed, _ = validated_warehouse
    pulls = _systemic(warehouse, "pull_requests", passed["pull_requests"])

    # One new row; its key (repository, number, updated_at) is new, so no older row shares it.
    assert pulls.validated_after_load_id == passed["pull_requests"].newest_load_id
    assert pulls.validated_rows == 1
    assert pulls.row_count == passed["pull_requests"].row_count + 1
    whole = _systemic(warehouse, "pull_requests", None)
    assert whole.validated_after_load_id is None and whole.validated_rows == whole.row_count
    # The record-level rules read the current version of the one pull request the load touched.
    assert _records(warehouse, "pull_requests", passed["pull_requests"]).validated_rows == 1


def test_values_and_references_the_new_loads_broke_are_record_level_findings(validated_warehouse):
    warehouse, passed, number = validated_warehouse

    pulls = _records(warehouse, "pull_requests", passed["pull_requests"])
    reviews = _records(warehouse, "pull_request_reviews", passed["pull_request_reviews"])

    assert _failed(pulls) == {IN_SET % "state": ["merged"]}
    assert _failed(reviews) == {IN_SET % "is_known": ["panjf2000/ants/999999"]}
    # Named with their counts: one pull request version, two reviews of the missing pull request.
    assert pulls.failed[0].summary() == "pull_requests.state outside the github vocabulary: 1 row: merged (1 row)"
    assert reviews.failed[0].unexpected_count == 2
    assert "panjf2000/ants/999999 (2 rows)" in reviews.failed[0].summary()
    # The systemic rules hold: nothing here blocks a publish.
    assert _systemic(warehouse, "pull_requests", passed["pull_requests"]).success
    assert _systemic(warehouse, "pull_request_reviews", passed["pull_request_reviews"]).success
    # The whole table says the same: the delta lost nothing.
    assert _failed(_records(warehouse, "pull_requests", None)) == _failed(pulls)
    assert number != 999999


def test_an_orphan_is_reported_until_its_parent_arrives(validated_warehouse):
    """After a validation that reported the orphan, a load with no reviews still reports it (an orphan is
    looked up again whatever loaded); once a pull request 999999 exists, it is known."""
    warehouse, _, _ = validated_warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _, newest = table_state(con, "raw_github.pull_request_reviews")
    table = GITHUB_TABLES["pull_request_reviews"]

    still = validate_record_rules(warehouse, "raw_github", table, newest, NOW)
    assert still.validated_rows == 0 and _failed(still) == {IN_SET % "is_known": ["panjf2000/ants/999999"]}

    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE raw_github.pull_requests SET number = 999999 WHERE number = "
                    "(SELECT min(number) FROM raw_github.pull_requests)")
    assert validate_record_rules(warehouse, "raw_github", table, newest, NOW).success


def test_an_old_row_the_new_loads_did_not_touch_is_not_read_again(validated_warehouse):
    """Proof of the scope: a value changed behind the loads' back is seen by a whole validation only."""
    warehouse, passed, number = validated_warehouse
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE raw_github.pull_requests SET state = 'draft' WHERE number <> ?", [number])

    assert _failed(_records(warehouse, "pull_requests", passed["pull_requests"])) == {
        IN_SET % "state": ["merged"]
    }
    assert _failed(_records(warehouse, "pull_requests", None)) == {IN_SET % "state": ["draft", "merged"]}


def test_a_table_that_lost_rows_fails_its_systemic_volume_rule(validated_warehouse):
    warehouse, passed, number = validated_warehouse
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM raw_github.pull_requests WHERE number <> ?", [number])
        remaining = con.execute("SELECT count(*) FROM raw_github.pull_requests").fetchone()[0]

    failed = _failed(_systemic(warehouse, "pull_requests", passed["pull_requests"]))

    rule = f"expect_column_values_to_be_between {{'column': 'row_count', 'min_value': {float(passed['pull_requests'].row_count)}}}"
    assert failed == {rule: [f"{remaining} rows"]}


def test_a_duplicated_key_fails_the_systemic_key_rule(validated_warehouse):
    warehouse, _, _ = validated_warehouse
    with duckdb.connect(str(warehouse)) as con:
        con.execute("INSERT INTO raw_github.pull_requests SELECT * FROM raw_github.pull_requests LIMIT 1")

    failed = _systemic(warehouse, "pull_requests", None).failed

    assert [f.rule.split(" ")[0] for f in failed] == ["expect_compound_columns_to_be_unique"]


def test_the_whole_published_vocabulary_passes_and_an_unknown_value_is_named_with_its_count(
    demo_exports: Path, tmp_path: Path
):
    """GitLab's own `skipped` deployment status is in the vocabulary; a value GitLab does not publish is
    reported with its rows, and every record loads."""
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    shutil.copytree(demo_exports / "gitlab", exports / "gitlab")
    page = next((exports / "gitlab").rglob("deployments/*.json"))
    deployments = json.loads(page.read_text())
    deployments[0]["status"] = "skipped"
    deployments[1]["status"] = deployments[2]["status"] = "exploded"
    page.write_text(json.dumps(deployments))
    load_tool("gitlab", exports, warehouse)
    table = tables_of(TOOLS["gitlab"][1])["deployments"]

    outcome = validate_record_rules(warehouse, "raw_gitlab", table, None, NOW)

    assert _failed(outcome) == {IN_SET % "status": ["exploded"]}
    assert outcome.failed[0].summary() == (
        "deployments.status outside the gitlab vocabulary: 2 rows: exploded (2 rows)"
    )
    statuses = query(warehouse, "SELECT status, count(*) FROM raw_gitlab.deployments "
                                "WHERE status IN ('skipped', 'exploded') GROUP BY 1 ORDER BY 1")
    assert statuses == [("exploded", 2), ("skipped", 1)]
