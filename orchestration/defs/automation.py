"""The jobs over the graph, and when they run: every day, whenever new or changed exports land, and what a
failure says."""

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.lib.dagster_internals import UnresolvedAssetJobDefinition
from orchestration.lib.settings import Settings

# Files younger than this may still be being written by the export job: wait for the next tick.
SETTLE_SECONDS = 30

DELIVERY_JOB = "delivery_job"
INGEST_JOB = "ingest_job"
BUILD_JOB = "build_job"
CHECKS_JOB = "checks_job"
LANDING_JOB = "landing_job"


@dataclass(frozen=True)
class DeliveryJobs:
    """The jobs over the whole graph: what `delivery run`, the schedule, the sensor and the UI start."""

    delivery: UnresolvedAssetJobDefinition
    ingest: UnresolvedAssetJobDefinition
    build: UnresolvedAssetJobDefinition
    landing: UnresolvedAssetJobDefinition
    checks: UnresolvedAssetJobDefinition

    def all(self) -> list[UnresolvedAssetJobDefinition]:
        return [self.delivery, self.ingest, self.build, self.landing, self.checks]

    @classmethod
    def over(
        cls,
        collected_keys: Sequence[dg.AssetKey],
        raw: Sequence[dg.AssetsDefinition],
        models: dg.AssetsDefinition,
        serving: dg.AssetsDefinition,
    ) -> "DeliveryJobs":
        delivery_job = dg.define_asset_job(
            DELIVERY_JOB,
            selection=dg.AssetSelection.all(),
            description=(
                "Load every tool's new exports, check the raw tables, build and test every dbt model, check "
                "the marts, then publish the serving snapshot."
            ),
            # Transient failures (a locked file) are retried; failed tests and checks are not.
            op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
            hooks={explain_failure},
        )
        # `delivery run` runs the same graph in two jobs, so that a run with nothing new stops after the first.
        raw_tables = dg.AssetSelection.assets(*(key for assets in raw for key in assets.keys))
        collected = dg.AssetSelection.assets(*collected_keys)
        ingest_job = dg.define_asset_job(
            INGEST_JOB,
            selection=collected | raw_tables,
            description="Collect the tools configured in collect.yaml, load every tool's new exports and check "
                        "the raw tables.",
            op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
            hooks={explain_failure},
        )
        build_job = dg.define_asset_job(
            BUILD_JOB,
            selection=dg.AssetSelection.assets(models, serving),
            description="Build and test every dbt model, check the marts, publish the serving snapshot.",
            op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
            hooks={explain_failure},
        )
        # The landing sensor loads what lands, never collects: a collection lands files, which would start
        # another run, and so on.
        landing_job = dg.define_asset_job(
            LANDING_JOB,
            selection=dg.AssetSelection.all() - collected,
            description="Load what landed, check, build, test and publish: what the landing sensor starts.",
            op_retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
            hooks={explain_failure},
        )
        checks_job = dg.define_asset_job(
            CHECKS_JOB,
            selection=dg.AssetSelection.all_asset_checks(),
            description="Every check alone, on the warehouse as it is: raw suites, freshness, dbt tests, row counts.",
            hooks={explain_failure},
        )
        return cls(delivery_job, ingest_job, build_job, landing_job, checks_job)


def daily_schedule(job: UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_delivery",
        job=job,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        # Stopped until someone turns it on: opening the UI must not start a run by itself.
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            "The whole graph every morning, whether or not the landing-folder sensor fired. Ships stopped: "
            "turn it on in the UI (Automation) or with `dagster schedule start daily_delivery`."
        ),
    )


def landing_sensor(settings: Settings, job: UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_exports",
        job=job,
        minimum_interval_seconds=60,
        # Stopped until someone turns it on: its first tick would otherwise start a full run as soon as
        # the UI's daemon is up, on whatever the landing folder holds.
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            f"Starts the job when export files are added to or changed under `{settings.exports_dir}`. "
            "Ships stopped: turn it on in the UI (Automation) or with `dagster sensor start new_exports`."
        ),
    )
    def new_exports(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        listing = LandingListing.scan(settings.exports_dir)
        if listing.files == 0:
            return dg.SkipReason(f"No export files under {settings.exports_dir}.")
        if listing.digest == context.cursor:
            return dg.SkipReason("No export file added or changed since the last run request.")
        if listing.newest_age_seconds < SETTLE_SECONDS:
            return dg.SkipReason("Export files are still being written; waiting for them to settle.")
        # The run key is the listing itself: the same files never start two runs.
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=listing.digest,
                    tags={"delivery/export_files": str(listing.files), "delivery/listing": listing.digest},
                )
            ],
            cursor=listing.digest,
        )

    return new_exports


class LandingListing:
    """The export files' paths, sizes and modification times, reduced to a digest."""

    def __init__(self, files: int, digest: str, newest_age_seconds: float) -> None:
        self.files = files
        self.digest = digest
        self.newest_age_seconds = newest_age_seconds

    @classmethod
    def scan(cls, exports_dir: Path, now: float | None = None) -> "LandingListing":
        import time

        digest, files, newest = hashlib.sha256(), 0, 0.0
        for relative, stat in sorted(_json_files(exports_dir, exports_dir)):
            digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            files += 1
            newest = max(newest, stat.st_mtime)
        return cls(files, digest.hexdigest()[:32], (now or time.time()) - newest)


def _json_files(root: Path, folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _json_files(root, Path(entry.path))
            elif entry.name.endswith(".json"):
                # The link itself, not its target: a dangling link or one out of the landing folder is
                # reported by the load, never followed. A file removed while listing is simply gone.
                try:
                    yield os.path.relpath(entry.path, root), entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue


@dg.failure_hook(name="explain_failure")
def explain_failure(context: dg.HookContext) -> None:
    """Writes why a step failed, in plain words, to the run's log."""
    context.log.error(f"{context.step_key} failed: {failure_reason(context.op_exception)}")


def failure_reason(error: BaseException | None) -> str:
    if error is None:
        return "the step failed without an exception; see the step's events."
    name = type(error).__name__
    if name == "DagsterAssetCheckFailedError" or "blocking" in str(error).lower():
        return (
            "a blocking check failed, so nothing downstream ran and the serving file was not replaced. "
            f"The check's metadata lists the failing expectations or rows. ({error})"
        )
    if isinstance(error, dg.Failure):
        return str(error.description or error)
    if "lock" in str(error).lower():
        return f"the warehouse file was locked by another process: close it and re-run. ({error})"
    return f"{name}: {error}"
