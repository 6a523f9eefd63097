"""The Dagster home `delivery` writes: Dagster's own SQLite storage, through an event log that keeps one
engine per database file (orchestration/lib/event_log.py).

A run with asset checks, stored through it, is read back by an instance on Dagster's default storage
(`storage: sqlite`) over the same folder: the files and their layout are Dagster's. And the home's
dagster.yaml is brought up to date only when `delivery` wrote it: an earlier version's file, or one
naming the folder the home was moved from; a file edited by hand is left alone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg

from orchestration.cli.commands import EARLIER_DAGSTER_YAML, dagster_yaml, ensure_dagster_home
from orchestration.lib.event_log import (
    KEPT_ENGINES,
    DeliverySqliteStorage,
    EngineReusingSqliteEventLogStorage,
)

CHECKS = ("rows_counted", "keys_unique", "values_known")


@dg.multi_asset(specs=[dg.AssetSpec("table")], check_specs=[dg.AssetCheckSpec(c, asset="table") for c in CHECKS])
def table():
    yield dg.MaterializeResult(asset_key="table")
    for name in CHECKS:
        yield dg.AssetCheckResult(asset_key="table", check_name=name, passed=name != "values_known")


def _default_storage_home(folder: Path, storage_of: Path) -> Path:
    """A home whose dagster.yaml is Dagster's default SQLite storage over another home's folder."""
    folder.mkdir()
    (folder / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {json.dumps(str(storage_of))}\n")
    return folder


def test_runs_stored_through_the_delivery_storage_read_as_dagsters_own(tmp_path: Path):
    home = tmp_path / "dagster"
    ensure_dagster_home(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance._event_storage, EngineReusingSqliteEventLogStorage)
        runs = [dg.materialize([table], instance=instance).run_id for _ in range(2)]

    with dg.DagsterInstance.from_config(str(_default_storage_home(tmp_path / "plain", home))) as plain:
        assert not isinstance(plain._event_storage, EngineReusingSqliteEventLogStorage)
        assert [r.dagster_run.run_id for r in plain.get_run_records()] == runs[::-1]
        keys = [dg.AssetCheckKey(dg.AssetKey("table"), name) for name in CHECKS]
        latest = plain.event_log_storage.get_latest_asset_check_execution_by_key(keys)
        assert {key.name: (record.run_id, record.event.dagster_event.event_specific_data.passed)
                for key, record in latest.items()} == {
            "rows_counted": (runs[1], True), "keys_unique": (runs[1], True), "values_known": (runs[1], False)}
        materializations = plain.fetch_materializations(dg.AssetKey("table"), limit=10).records
        assert [m.run_id for m in materializations] == runs[::-1]


def test_the_home_keeps_its_engines_few(tmp_path: Path):
    """A long-lived process reading many runs keeps the newest few engines, never one per run."""
    storage = DeliverySqliteStorage.from_local(str(tmp_path / "dagster"))
    event_log = storage.event_log_storage
    for run in range(40):
        event_log.get_logs_for_run(f"run-{run}")
    assert len(event_log._engines) == KEPT_ENGINES
    storage.dispose()
    assert not event_log._engines


def test_dagster_yaml_is_rewritten_only_when_delivery_wrote_it(tmp_path: Path):
    earlier, moved, edited = (tmp_path / name for name in ("earlier", "moved", "edited"))
    earlier.mkdir()
    (earlier / "dagster.yaml").write_text(EARLIER_DAGSTER_YAML)
    ensure_dagster_home(tmp_path / "before-the-move")
    shutil.move(tmp_path / "before-the-move", moved)
    edited.mkdir()
    by_hand = dagster_yaml(edited).replace("default_limit: 1", "default_limit: 2")
    (edited / "dagster.yaml").write_text(by_hand)

    for home in (earlier, moved, edited):
        ensure_dagster_home(home)

    assert (earlier / "dagster.yaml").read_text() == dagster_yaml(earlier)
    assert (moved / "dagster.yaml").read_text() == dagster_yaml(moved)
    assert str(moved.resolve()) in (moved / "dagster.yaml").read_text()
    assert (edited / "dagster.yaml").read_text() == by_hand
