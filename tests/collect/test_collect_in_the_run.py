"""`delivery run` on an organisation that configures GitHub in collect.yaml and delivers nothing by hand: the
run collects from the API (a replay server), loads, builds and publishes, as real Dagster materialisations;
and the token is in no file the run wrote: landing folder, collection state, warehouse, serving file, the
Dagster instance (event log, run and compute logs) and the console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.config.spec import SETTINGS
from tests.collect.collect_setup import write_config
from tests.collect.fake_github import FakeGitHub, commit, deployment, pull, status
from tests.collect.replay import ReplayServer
from tests.limits import HANG_SECONDS

TOKEN = "ghp_run0token0must0never0be0written"


@pytest.fixture
def organisation(tmp_path: Path, httpserver) -> tuple[Path, ReplayServer]:
    server = ReplayServer(httpserver)
    server.required_headers = {"Authorization": f"Bearer {TOKEN}"}
    github = FakeGitHub(server)
    # Two merged pull requests and two production deployments, each of one merge commit, in November 2026.
    github.pulls = [pull(1, "2026-11-02T10:00:00Z"), pull(2, "2026-11-03T10:00:00Z")]
    github.pull_commits = {n: [commit(f"c{n:039d}", f"2026-11-0{n + 1}T08:00:00Z")] for n in (1, 2)}
    github.commits = [commit(f"m{n:039d}", f"2026-11-0{n + 1}T10:00:00Z", (f"c{n:039d}",)) for n in (1, 2)]
    github.deployments = [deployment(n, f"2026-11-0{n + 1}T11:00:00Z") for n in (1, 2)]
    github.statuses = {n: [status(10 * n, "success", f"2026-11-0{n + 1}T11:30:00Z")] for n in (1, 2)}
    write_config(tmp_path, f"history_days: 3650\ngithub:\n  base_url: {server.url}\n  repositories: [acme/api]\n")
    return tmp_path, server


def _delivery(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items()
           if name not in {s.environment_variable for s in SETTINGS}}
    env |= {"DELIVERY_CONFIG_DIR": str(root / "config"), "DAGSTER_HOME": str(root / "dagster"),
            "GITHUB_TOKEN": TOKEN, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=root, check=False,
                          capture_output=True, timeout=HANG_SECONDS)  # the timeout stops a hang only


def test_the_run_collects_then_loads_builds_and_publishes_and_writes_the_token_nowhere(organisation):
    root, _server = organisation

    result = _delivery(root, "run")

    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output[-6000:]
    assert "Published " in output
    assert "Collected github: collected: 1 scope(s), 10 requests, 10 pages, 10 files written" in output
    # 2 pull-request pages? No: 2 pulls fit one page; 1 page each of pulls, commits, deployments, runs, and
    # per pull request its commits and reviews (4), per deployment its statuses (2): 10 bodies.
    assert len([p for p in (root / "exports").rglob("*.json")]) == 10
    with duckdb.connect(str(root / "warehouse" / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_deployments where is_production_deployment").fetchall() \
            == [(2,)]
    with dg.DagsterInstance.from_config(str(root / "dagster")) as instance:
        materialisation = instance.get_latest_materialization_event(dg.AssetKey(["exports", "github"]))
        metadata = materialisation.asset_materialization.metadata
        assert (metadata["status"].value, metadata["files_written"].value) == ("collected", 10)
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey(["exports", "github"]), "collected")])
        assert next(iter(check.values())).status.value == "SUCCEEDED"

    token = TOKEN.encode()
    assert token not in result.stdout + result.stderr
    leaks = [str(path) for path in root.rglob("*") if path.is_file() and token in path.read_bytes()]
    assert leaks == []
