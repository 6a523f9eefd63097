"""Processes that find the dbt manifest stale at the same moment (the UI and a run started together, the tests'
processes on a fresh clone) parse the project once: the others wait for that parse and use its manifest."""

from __future__ import annotations

import threading
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.defs.models import dbt_assets
from orchestration.lib.settings import DBT_PROJECT_DIR


def _small_dbt_project(folder: Path) -> DbtProject:
    """A project of one model on the product's profile: parsed in seconds, where the product's takes a minute."""
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(
        "name: small\nversion: '1.0'\nconfig-version: 2\nprofile: delivery_warehouse\nmodel-paths: [models]\n")
    (folder / "profiles.yml").write_text((DBT_PROJECT_DIR / "profiles.yml").read_text())
    (folder / "models" / "one.sql").write_text("select 1 as one\n")
    return DbtProject(project_dir=folder, profiles_dir=folder)


def test_two_callers_finding_no_manifest_parse_the_project_once(tmp_path: Path, monkeypatch) -> None:
    project = _small_dbt_project(tmp_path / "project")
    assert not project.manifest_path.exists()  # a fresh clone: no manifest yet
    parses = []
    real_parse = dbt_assets._parse_atomically

    def counted_parse(parsed: DbtProject) -> None:  # the real parse, counted
        parses.append(parsed)
        real_parse(parsed)

    monkeypatch.setattr(dbt_assets, "_parse_atomically", counted_parse)
    # Two callers at once (the lock is the operating system's on an open file, so threads exclude each other
    # as processes do).
    callers = [threading.Thread(target=dbt_assets.ensure_manifest, args=(project,)) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(parses) == 1
    assert project.manifest_path.is_file() and not dbt_assets._manifest_is_stale(project)
