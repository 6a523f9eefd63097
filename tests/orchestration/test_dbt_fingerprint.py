"""The dbt fingerprint names the files that define the dbt project, and only those: a file dbt or an editor
writes beside them (`make docs` runs `dbt docs serve`, which writes `.user.yml`) must not make the next
run with nothing new rebuild and republish everything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration.lib.serving import dbt_fingerprint
from orchestration.lib.settings import DBT_PROJECT_DIR, DBT_SOURCE_DIRS, dbt_source_files


def _copy_of_the_dbt_project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    project.mkdir()
    for path in DBT_PROJECT_DIR.glob("*.yml"):
        if not path.name.startswith("."):
            shutil.copy2(path, project / path.name)
    for folder in DBT_SOURCE_DIRS:
        if (DBT_PROJECT_DIR / folder).is_dir():
            shutil.copytree(DBT_PROJECT_DIR / folder, project / folder,
                            ignore=shutil.ignore_patterns(".*"))
    return project


def test_generated_hidden_files_leave_the_fingerprint_as_it_was(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DELIVERY_MAPPINGS_DIR", raising=False)
    project = _copy_of_the_dbt_project(tmp_path)
    before = dbt_fingerprint(project)

    (project / ".user.yml").write_text("id: 5f0d6a0e-0000-4000-8000-000000000000\n")  # as dbt writes it
    (project / "models" / ".fct_example.sql.swp").write_bytes(b"\x00editor swap")

    assert dbt_fingerprint(project) == before
    assert not any(path.name.startswith(".") for path in dbt_source_files(project))


def test_an_edited_model_changes_the_fingerprint(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DELIVERY_MAPPINGS_DIR", raising=False)
    project = _copy_of_the_dbt_project(tmp_path)
    before = dbt_fingerprint(project)

    model = next((project / "models").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- edited\n")

    assert dbt_fingerprint(project) != before


def test_the_freshness_windows_change_no_model_and_leave_the_fingerprint_alone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DELIVERY_MAPPINGS_DIR", raising=False)
    project = _copy_of_the_dbt_project(tmp_path)

    def fingerprint(**dbt_vars: object) -> str:
        monkeypatch.setenv("DELIVERY_DBT_VARS", json.dumps({"dora_report_year": 2023, **dbt_vars}))
        return dbt_fingerprint(project)

    default = fingerprint(freshness_warn_hours=36.0, freshness_fail_hours=168.0)
    assert fingerprint(freshness_warn_hours=12.0, freshness_fail_hours=48.0) == default
    assert fingerprint(dora_report_year=2024, freshness_warn_hours=36.0, freshness_fail_hours=168.0) != default
