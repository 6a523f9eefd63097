"""The blocking checks between the warehouse and the serving file, failing: each stops publish, the serving
file keeps its snapshot, and `delivery status` names the check, the asset and what to do.

One small organisation, configured from a folder of its own (tests/small_org_exports.py: four Jira issues of
the real sample, one GitHub repository with two deployments to `live`, which its settings.yaml calls
production), published once; then, each from the published state:

- a settings edit that makes a mart lose more than half its rows stops publish at the mart's row count
  check (`row_count_against_published`);
- a tool whose newest load is older than the fail window stops publish at its freshness check
  (`exports_are_fresh`), even though another tool brought something new to publish.

Everything runs through the `delivery` command, in subprocesses, as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REAL_SAMPLES, mart_contents, query, snapshot_id
from tests.limits import HANG_SECONDS
from tests.small_org_exports import ZETA_API, write, write_github_repository, write_jira_only

REPO_ROOT = Path(__file__).parents[1]
SETTINGS_YAML = """\
exports_dir: ../landing
warehouse_path: ../state/delivery.duckdb
default_production_environment_pattern: '{pattern}'
freshness_fail_hours: {fail_hours}
"""
PRODUCTION = "^live$"
# The edit that loses the rows: the pattern of another organisation's environments, pasted by mistake.
NO_PRODUCTION = "^prod(uction)?$"
FAIL_HOURS = 48
# The settings variables the tests' environment sets (tests/conftest.py), removed so that the organisation's
# folder alone places its files; the docs site is left off, as in every other test run.
PATH_VARIABLES = ("DELIVERY_EXPORTS_DIR", "DELIVERY_WAREHOUSE_PATH", "DELIVERY_SERVING_PATH", "DELIVERY_CONFIG_DIR")


def _write_settings(root: Path, pattern: str) -> None:
    (root / "config" / "settings.yaml").write_text(SETTINGS_YAML.format(pattern=pattern, fail_hours=FAIL_HOURS))


def _delivery(root: Path, command: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in PATH_VARIABLES}
    # A wide terminal: the failed checks' table keeps each reason on one line.
    env |= {"DELIVERY_CONFIG_DIR": str(root / "config"), "DAGSTER_HOME": str(root / "dagster"), "COLUMNS": "1000"}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", command], env=env, cwd=root, check=False,
                          capture_output=True, text=True, timeout=HANG_SECONDS)  # the timeout stops a hang only


def _serving(root: Path) -> Path:
    return root / "state" / "serving.duckdb"


def _published_state(root: Path) -> tuple[str, dict[str, list[tuple]], bytes]:
    serving = _serving(root)
    return snapshot_id(serving), mart_contents(serving), serving.read_bytes()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("blocking")
    (root / "config" / "mappings").mkdir(parents=True)
    _write_settings(root, PRODUCTION)
    (root / "config" / "mappings" / "teams.csv").write_text("team,team_name,value_stream\nplatform,Platform,Core\n")
    write_jira_only(root / "landing")
    write_github_repository(root / "landing", ZETA_API, "live")
    first = _delivery(root, "run")
    assert first.returncode == 0 and "Published " in first.stdout, first.stdout[-6000:] + first.stderr[-3000:]
    return root


def _failed_check_lines(status: str, check: str) -> list[str]:
    """The rows of `delivery status`'s failed checks table naming `check` (one line each: a wide terminal)."""
    table = status[status.index("Failed checks (they block publish)"):]
    return [line for line in table.splitlines() if line.startswith("│") and f"│ {check} " in line]


@pytest.fixture(scope="module")
def shrunk_mart(published: Path):
    """The line that calls `live` production deleted from settings.yaml (its value looks like a default): the
    product's default pattern, `^prod(uction)?$`, matches neither deployment. Every model builds and every
    dbt test passes; only the marts' row counts against the snapshot see that most DORA facts are gone."""
    root = published
    before = _published_state(root)
    (root / "config" / "settings.yaml").write_text(
        "".join(line for line in (root / "config" / "settings.yaml").read_text().splitlines(keepends=True)
                if not line.startswith("default_production_environment_pattern"))
    )
    run = _delivery(root, "run")
    status = _delivery(root, "status")
    return root, before, run, status


def test_a_mart_that_loses_more_than_half_its_rows_stops_publish(shrunk_mart):
    root, (published_id, published_marts, published_bytes), run, status = shrunk_mart
    assert run.returncode == 1, run.stdout[-6000:] + run.stderr[-3000:]
    # The audit trail of the metrics, published with 5 rows: the two production deployments, and pull request
    # #1 as a change, a lead time change (both through deployment 101) and a merged pull request. Without a
    # production deployment, only the merged pull request is left: 1 of 5, more than the 50 % allowed.
    reason = "1 row, down from 5 published: more than 50% lost."
    failed = f"blocking check row_count_against_published on marts/fct_metric_members failed: {reason}"
    assert failed in run.stdout, run.stdout[-6000:]
    assert "Serving file unchanged" in run.stdout
    assert _serving(root).read_bytes() == published_bytes
    assert snapshot_id(_serving(root)) == published_id and mart_contents(_serving(root)) == published_marts

    assert status.returncode == 0, status.stdout + status.stderr
    [line] = _failed_check_lines(status.stdout, "row_count_against_published")
    assert "marts/fct_metric_members" in line and "ERROR" in line and reason in line, status.stdout
    assert "To do:" in line and "max_mart_row_drop" in line, line
    assert f"Last publish: run {published_id}" in status.stdout


def _age_loads(warehouse: Path, dataset: str, hours: float) -> None:
    """Move every load of `dataset` back by `hours`, as if the tool's exports had stopped arriving then. A
    test cannot wait days; a load's time is its dlt load id (epoch seconds of the load), on every row it
    brought and in dlt's list of loads."""
    seconds = hours * 3600
    with duckdb.connect(str(warehouse)) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = ? AND column_name = "
            "'_dlt_load_id'", [dataset]).fetchall()]
        aged = f"printf('%.6f', CAST(_dlt_load_id AS DOUBLE) - {seconds})"
        for table in tables:
            con.execute(f'UPDATE {dataset}."{table}" SET _dlt_load_id = {aged}')
        con.execute(f"UPDATE {dataset}._dlt_loads SET load_id = printf('%.6f', CAST(load_id AS DOUBLE) - {seconds}), "
                    f"inserted_at = inserted_at - to_seconds(CAST({seconds} AS BIGINT))")


STALE_HOURS = FAIL_HOURS + 24


@pytest.fixture(scope="module")
def stale_tool(shrunk_mart):
    """GitHub's exports stopped arriving three days ago (its loads aged by 72 h, beyond the 48 h fail window
    of the organisation's settings.yaml), while Jira's go on: a new page with a fifth issue, something new to
    publish. The settings line deleted before is back, so that nothing else stands in the way."""
    root, *_ = shrunk_mart
    _write_settings(root, PRODUCTION)
    before = _published_state(root)
    page = json.loads((REAL_SAMPLES / "jira" / "issues" / "page-1.json").read_text(encoding="utf-8"))
    write(root / "landing", "jira/issues/page-0002.json", {**page, "issues": page["issues"][4:5], "total": 1})
    _age_loads(root / "state" / "delivery.duckdb", "raw_github", STALE_HOURS)
    run = _delivery(root, "run")
    status = _delivery(root, "status")
    return root, before, run, status


def test_a_tool_whose_newest_load_is_older_than_the_fail_window_stops_publish(stale_tool):
    root, (published_id, published_marts, published_bytes), run, status = stale_tool
    assert run.returncode == 1, run.stdout[-6000:] + run.stderr[-3000:]
    # Jira's new page loaded (the fifth issue): the publish it would have brought is what the check stopped.
    assert query(root / "state" / "delivery.duckdb", "SELECT count(*) FROM raw_jira.issues") == [(5,)]
    failed = "blocking check exports_are_fresh on raw_github/pull_requests failed: The newest raw_github load is "
    assert failed in run.stdout, run.stdout[-6000:]
    assert "Serving file unchanged" in run.stdout
    assert _serving(root).read_bytes() == published_bytes
    assert snapshot_id(_serving(root)) == published_id and mart_contents(_serving(root)) == published_marts

    assert status.returncode == 0, status.stdout + status.stderr
    [line] = _failed_check_lines(status.stdout, "exports_are_fresh")
    assert "raw_github/pull_requests" in line and "ERROR" in line, status.stdout
    # At least the 72 h the loads were moved back, and over the 48 h of the organisation's fail window.
    age = float(line.split("The newest raw_github load is ")[1].split(" h old")[0])
    assert STALE_HOURS <= age < STALE_HOURS + 24, line
    assert f"Older than freshness_fail_hours ({FAIL_HOURS} h): publish blocked." in line
    assert f"To do: check that github's exports still reach the landing folder ({root / 'landing' / 'github'})" \
        in line
    # Jira's load is fresh: its freshness check passed.
    assert not _failed_check_lines(status.stdout, "exports_are_fresh")[1:]
    assert "github_raw_checks" in status.stdout[status.stdout.rindex("Last run:"):]
