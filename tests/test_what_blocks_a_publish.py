"""What blocks a publish and what does not, end to end through `delivery run` on the small demo organisation.

- A record-level problem never stops a publish: a truncated Jira issues page is quarantined, and a valid
  changelog page of an issue that was on it loads, is reported by name, and waits for its issue.
- Exports as they really arrive (some files a day late, so children before their parents): the first
  delivery publishes; once the late files arrive, the marts equal those of a build on every file at once.
- A deterministic dbt failure (a model's SQL error, a failing test) is attempted once, and the run's last
  lines name the model and the test, the test's first offending rows, what to do, and the log.

The project runs from a copy of its tree in a temporary folder, so that a broken model can be added to
the copy without touching the product.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance

from ingestion.landing_marker import MARKER_NAME
from tests.conftest import DemoServing, mart_contents, query, snapshot_id
from tests.limits import HANG_SECONDS

PROJECT = Path(__file__).parents[1]
# The parts of the tree `delivery run` needs; dbt's target folder is left behind (it is parsed afresh). Of the
# demo, its configuration folder only (the default one): a run never imports the demo's code.
PROJECT_PARTS = ("orchestration", "ingestion", "demo/config", "dbt_project", "pyproject.toml", "workspace.yaml")
HELD_BACK_EVERY = 20
ORPHAN_KEY = "PAY-11"
BROKEN_MODEL = "int_zz_broken_model"
FAILING_TEST = "assert_zz_no_issue_pay_299"


def _copy_project(target: Path) -> Path:
    for part in PROJECT_PARTS:
        source = PROJECT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("target", "logs", "__pycache__"))
        else:
            shutil.copy2(source, target / part)
    return target


def _environment(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "COLUMNS": "200",
    }


def _delivery(command: str, env: dict[str, str], project: Path) -> subprocess.CompletedProcess:
    """`delivery <command>` run from `project` (its copy of the tree is what Python imports)."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", command],
        env=env, capture_output=True, text=True, timeout=HANG_SECONDS, cwd=project, check=False,
    )


def _truncated_issue_page(exports: Path) -> None:
    """A page holding issue PAY-11, cut off mid-body (the export job died), and a valid page of PAY-11's
    changelog: the changelog of an existing demo issue, under the new issue's key, with ids of its own."""
    issues = json.loads((exports / "jira" / "issues" / "page-0002.json").read_text())
    issue = {**issues["issues"][0], "id": "990011", "key": ORPHAN_KEY}
    body = json.dumps({**issues, "issues": [issue], "total": 1})
    (exports / "jira" / "issues" / "page-0099.json").write_text(body[: len(body) // 2])
    source = next((exports / "jira" / "changelogs").glob("PAY-*/page-0001.json"))
    changelog = json.loads(source.read_text())
    histories = [{**h, "id": f"99{h['id']}"} for h in changelog["values"]]
    target = exports / "jira" / "changelogs" / ORPHAN_KEY / "page-0001.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({**changelog, "values": histories}))


@pytest.fixture(scope="module")
def orphan_run(demo_exports: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("orphan")
    project = _copy_project(root / "project")
    shutil.copytree(demo_exports, root / "exports")
    _truncated_issue_page(root / "exports")
    env = _environment(root)
    return root, project, env, _delivery("run", env, project)


def test_a_changelog_whose_issue_page_was_quarantined_loads_is_reported_and_publishes(orphan_run):
    root, _, _, run = orphan_run
    assert run.returncode == 0, run.stdout + run.stderr
    warehouse = root / "warehouse" / "delivery.duckdb"
    # The truncated page is quarantined whole; PAY-11's changelog loads all its items (its one page).
    assert query(warehouse, "SELECT count(*) FROM raw_jira.quarantine WHERE source_file LIKE '%page-0099.json'") \
        == [(1,)]
    histories = json.loads((root / "exports" / "jira" / "changelogs" / ORPHAN_KEY / "page-0001.json").read_text())
    items = sum(len(h["items"]) for h in histories["values"])
    assert query(warehouse, "SELECT count(*) FROM raw_jira.changelog_items WHERE issue_key = ?", [ORPHAN_KEY]) \
        == [(items,)]
    # Reported by name and count, as a warning; the run published.
    out = run.stdout
    assert "Warnings" in out and f"{ORPHAN_KEY} ({items} rows)" in out, out
    assert "raw_jira/changelog_items raw_record_rules" in out
    assert "Published " in out and snapshot_id(root / "warehouse" / "serving.duckdb") != ""
    # The demo's exports plus two files the demo did not write: not demo data only, so not marked as such.
    assert query(root / "warehouse" / "serving.duckdb", "SELECT demo_data FROM meta.snapshot") == [(False,)]


@pytest.fixture(scope="module")
def broken_build(orphan_run):
    """The same project with one model that cannot run (a column that does not exist) and one singular
    test that finds a row (the demo's issue PAY-299): the next `delivery run` rebuilds and fails."""
    root, project, env, _ = orphan_run
    published = snapshot_id(root / "warehouse" / "serving.duckdb")
    models = project / "dbt_project" / "models" / "intermediate"
    # On another staging model than the test's: dbt skips what is downstream of a failing test.
    (models / f"{BROKEN_MODEL}.sql").write_text(
        "select no_such_column from {{ ref('stg_pagerduty__incidents') }}\n"
    )
    (project / "dbt_project" / "tests" / f"{FAILING_TEST}.sql").write_text(
        "select issue_key, project_key from {{ ref('stg_jira__issues') }} where issue_key = 'PAY-299'\n"
    )
    failed = _delivery("run", env, project)
    status = _delivery("status", env, project)
    return root, published, failed, status


def test_a_failing_model_is_attempted_once(broken_build):
    root, _, failed, _ = broken_build
    assert failed.returncode == 1, failed.stdout + failed.stderr
    with DagsterInstance.from_config(str(root / "dagster")) as instance:
        build = instance.get_runs(limit=1)[0]
        assert build.job_name == "build_job"
        events = instance.get_records_for_run(build.run_id).records
        kinds = [
            r.event_log_entry.dagster_event_type for r in events if r.event_log_entry.step_key == "delivery_dbt_models"
        ]
    assert kinds.count(DagsterEventType.STEP_START) == 1
    assert DagsterEventType.STEP_UP_FOR_RETRY not in kinds and DagsterEventType.STEP_RESTARTED not in kinds
    assert kinds.count(DagsterEventType.STEP_FAILURE) == 1


def test_the_last_lines_name_the_model_the_test_its_rows_and_the_log(broken_build):
    root, published, failed, status = broken_build
    # The last lines: from the failed dbt step to the end of the output.
    last = failed.stdout[failed.stdout.rindex("delivery_dbt_models failed"):]
    assert f"model {BROKEN_MODEL} (models/intermediate/{BROKEN_MODEL}.sql)" in last, failed.stdout
    assert "no_such_column" in last
    assert f"test {FAILING_TEST}" in last and "issue_key=PAY-299" in last
    assert "to do:" in last and "Log: " in last and "FAILED" in last
    assert snapshot_id(root / "warehouse" / "serving.duckdb") == published
    assert "Serving file unchanged" in failed.stdout
    last_status = status.stdout[status.stdout.rindex("Last run:"):]
    assert BROKEN_MODEL in last_status and "issue_key=PAY-299" in last_status, status.stdout
    assert "Log: " in last_status and "build_job" in last_status


def _held_back(exports: Path) -> list[Path]:
    """Every 20th export file in path order (a deterministic day-late share, children and parents alike); the
    demo's marker is not an export."""
    files = sorted(p.relative_to(exports) for p in exports.rglob("*.json") if p.name != MARKER_NAME)
    return [path for index, path in enumerate(files) if index % HELD_BACK_EVERY == HELD_BACK_EVERY - 1]


@pytest.fixture(scope="module")
def late_delivery(demo_serving: DemoServing, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("late")
    exports = root / "exports"
    shutil.copytree(demo_serving.exports, exports)
    late = root / "late"
    held = _held_back(exports)
    for path in held:
        (late / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(exports / path, late / path)
    env = _environment(root)
    first = subprocess.run([sys.executable, "-m", "orchestration.cli", "run"], env=env, capture_output=True,
                           text=True, timeout=HANG_SECONDS, cwd=PROJECT, check=False)
    first_snapshot = snapshot_id(root / "warehouse" / "serving.duckdb") if first.returncode == 0 else None
    # Copied, not moved back: a file that arrives late is a new file, with a new modification time.
    shutil.copytree(late, exports, dirs_exist_ok=True, copy_function=shutil.copy)
    second = subprocess.run([sys.executable, "-m", "orchestration.cli", "run"], env=env, capture_output=True,
                            text=True, timeout=HANG_SECONDS, cwd=PROJECT, check=False)
    return root, held, first, first_snapshot, second


def test_exports_arriving_late_publish_at_once_and_converge(demo_serving: DemoServing, late_delivery):
    root, held, first, first_snapshot, second = late_delivery
    assert len(held) >= 90, "a twentieth of the demo's files"
    assert any(path.parts[:2] == ("jira", "changelogs") or "pull_reviews" in path.parts for path in held)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first_snapshot is not None and "Published " in first.stdout
    # Children whose parents were late are reported, not fatal.
    assert "without a parent" in first.stdout, first.stdout
    assert second.returncode == 0, second.stdout + second.stderr
    assert snapshot_id(root / "warehouse" / "serving.duckdb") != first_snapshot
    # The marts equal those of a build on every file at once (the session's uninterrupted demo build).
    assert mart_contents(root / "warehouse" / "serving.duckdb") == mart_contents(demo_serving.serving)
