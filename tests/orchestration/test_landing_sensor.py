"""The landing-folder sensor on real files: one run request per new set of files, never two for the same."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg

from orchestration.definitions import DELIVERY_JOB
from orchestration.defs.automation import SETTLE_SECONDS, landing_sensor
from orchestration.lib.settings import Settings
from tests.conftest import write_json


def _settled(path: Path) -> Path:
    """Backdate a file as if the export job had finished writing it a while ago."""
    old = time.time() - SETTLE_SECONDS - 60
    os.utime(path, (old, old))
    return path


def _tick(sensor: dg.SensorDefinition, cursor: str | None) -> tuple[list[dg.RunRequest], str | None, str | None]:
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, cursor=cursor)
        result = sensor.evaluate_tick(context)
    skip = result.skip_message
    return list(result.run_requests or []), result.cursor, skip


def test_new_changed_and_unchanged_files(tmp_path: Path):
    settings = Settings.from_env()
    settings = Settings(**{**settings.__dict__, "exports_dir": tmp_path / "exports"})
    sensor = landing_sensor(settings, dg.define_asset_job(DELIVERY_JOB))

    requests, cursor, skip = _tick(sensor, None)
    assert requests == [] and "No export files" in skip

    first = _settled(write_json(tmp_path / "exports/github/acme/api/pulls/page-1.json", [{"id": 1}]))
    requests, cursor, _ = _tick(sensor, None)
    assert len(requests) == 1 and requests[0].tags["delivery/export_files"] == "1"
    first_key = requests[0].run_key

    requests, _, skip = _tick(sensor, cursor)
    assert requests == [] and "No export file added or changed" in skip

    # A file still being written waits for the next tick.
    second = write_json(tmp_path / "exports/jira/issues/page-1.json", {"issues": []})
    requests, _, skip = _tick(sensor, cursor)
    assert requests == [] and "still being written" in skip

    _settled(second)
    requests, cursor, _ = _tick(sensor, cursor)
    assert len(requests) == 1 and requests[0].run_key != first_key
    assert requests[0].tags["delivery/export_files"] == "2"

    # Re-writing a file with new content is a change, even under the same name.
    _settled(write_json(first, [{"id": 1}, {"id": 2}]))
    requests, _, _ = _tick(sensor, cursor)
    assert len(requests) == 1


def test_a_dangling_link_does_not_stop_the_scan(tmp_path: Path):
    """A `.json` link whose target is gone is listed as the link (the load reports it), not followed."""
    from orchestration.defs.automation import LandingListing

    exports = tmp_path / "exports"
    page = _settled(write_json(exports / "jira/issues/page-1.json", {"issues": []}))
    (exports / "jira/issues/gone.json").symlink_to(tmp_path / "nowhere.json")

    listing = LandingListing.scan(exports)

    # Two entries, the page and the link; the newest is the link, made just now.
    assert listing.files == 2
    assert listing.newest_age_seconds < time.time() - page.stat().st_mtime
