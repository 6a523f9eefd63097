"""dbt models, seeds and tests as Dagster assets and asset checks."""


import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.models.dbt_failures import build_failure
from orchestration.lib.duckdb_pool import DUCKDB_POOL
from orchestration.lib.mapping_gaps import GapsUnavailable, one_line, read_mapping_gaps
from orchestration.lib.pseudonyms import people_policy
from orchestration.lib.serving import dbt_fingerprint, read_snapshot, working_fingerprint
from orchestration.lib.settings import DBT_BUILD_COMMAND, DBT_PROJECT_DIR, Settings, dbt_source_files
from orchestration.lib.translators import DeliveryDbtTranslator

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
PARTIAL_PARSE = "partial_parse.msgpack"
PARSE_LOCK = "parse.lock"
INVOCATION_PREFIX = "delivery_dbt_models-"
KEPT_INVOCATIONS = 5
MAPPING_GAPS_CHECK = "assert_no_mapping_gaps"


def _dbt_executable() -> str:
    """`delivery-dbt` (orchestration/lib/dbt_launcher.py: one parse for every warehouse, no look-up of newer
    releases) installed beside this interpreter, so that an un-activated virtual environment works too;
    plain dbt where the product's scripts are not installed."""
    for name in ("delivery-dbt", "dbt"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return shutil.which("delivery-dbt") or shutil.which("dbt") or "dbt"


DBT_EXECUTABLE = _dbt_executable()


def ensure_manifest(project: DbtProject = dbt_project, refresh: bool = False) -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone), older than any of the
    project's files (models, seeds, macros or tests were edited), or when a refresh is asked for.

    One process parses at a time: a process that finds the manifest stale waits for a parse under way (the UI
    and a run started together, or the tests' processes on a fresh clone) and uses its manifest, instead of
    parsing the whole project again beside it."""
    if not (refresh or _manifest_is_stale(project)):
        return
    with _parse_lock(project):
        if refresh or _manifest_is_stale(project):  # stale still: no other process parsed it meanwhile
            _parse_atomically(project)


@contextmanager
def _parse_lock(project: DbtProject) -> Iterator[None]:
    """The operating system's lock on a file of the target folder, released however the process ends."""
    target_root = _target_root(project)
    target_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(target_root / PARSE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _parse_atomically(project: DbtProject) -> None:
    """Parse into a folder of its own, then rename the manifest into place: two processes parsing at
    once (tests, the UI and a headless run) never read a half-written manifest."""
    target_root = _target_root(project)
    target_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_root, prefix="parse-") as scratch:
        target = Path(scratch)
        partial = target_root / PARTIAL_PARSE
        if partial.exists():  # lets dbt re-parse only the files that changed
            shutil.copy2(partial, target / PARTIAL_PARSE)
        # The configuration's vars, as the builds pass them: a parse with other vars is not reused by a build.
        configured_vars = ["--vars", os.environ["DELIVERY_DBT_VARS"]] if os.environ.get("DELIVERY_DBT_VARS") else []
        dbt_resource(project).cli(["parse", "--quiet", *configured_vars], target_path=target, manifest={}).wait()
        for name in (PARTIAL_PARSE, "manifest.json"):
            if not (target / name).exists():
                raise FileNotFoundError(f"dbt parse wrote no {name} in {target}")
            os.replace(target / name, target_root / name)


def _manifest_is_stale(project: DbtProject) -> bool:
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    return any(path.stat().st_mtime > built for path in dbt_source_files(Path(project.project_dir)))


def dbt_models(settings: Settings) -> dg.AssetsDefinition:
    ensure_manifest()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=DeliveryDbtTranslator(mart_freshness=settings.freshness_policy),
        pool=DUCKDB_POOL,
    )
    def delivery_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        if context.selected_asset_keys and already_published(settings):
            context.log.info("No new raw rows and no dbt change since the published snapshot: nothing to build.")
            return
        full_refresh = needs_full_refresh(settings)
        if full_refresh:
            context.log.info("The dbt project differs from the published snapshot's: incremental models are rebuilt.")
        args = [*DBT_BUILD_COMMAND, "--vars", settings.dbt_vars_json, *(["--full-refresh"] if full_refresh else [])]
        target = _invocation_target(context.run.run_id, settings.warehouse_path)
        invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=target)
        held_back = []
        for event in invocation.stream():
            if _is_mapping_gaps_warning(event):
                held_back.append(event)  # described once dbt has let go of the warehouse
            else:
                yield event
        _prune_invocation_folders(invocation.target_path.parent)
        successful = invocation.is_successful()
        _keep_parse(target, settings.warehouse_path)
        yield from (describe_mapping_gaps(event, settings.warehouse_path) for event in held_back)
        if not successful:
            target = invocation.target_path
            raise build_failure(target, settings.warehouse_path, target / "dbt.log")
        if not settings.write_dbt_docs:
            context.log.info("dbt docs not written: the setting write_dbt_docs is off.")
        elif generate_docs(dbt, invocation.target_path, settings):
            context.log.info(f"dbt docs of this build: {settings.docs_dir / 'static_index.html'}")
        else:  # the data is built and tested: missing docs must not hold back the snapshot
            context.log.warning(f"dbt docs generate failed; see {settings.docs_dir / 'dbt.log'}")

    return delivery_dbt_models


def _is_mapping_gaps_warning(event) -> bool:
    return isinstance(event, dg.AssetCheckResult) and event.check_name == MAPPING_GAPS_CHECK and not event.passed


def describe_mapping_gaps(result: dg.AssetCheckResult, warehouse_path: Path) -> dg.AssetCheckResult:
    """The mapping gaps check says which values are unmapped and how many records each kind affects (dbt's
    result only counts rows); read once the build has ended, as the file is dbt's while it runs."""
    try:
        gaps = read_mapping_gaps(warehouse_path)
    except (GapsUnavailable, duckdb.Error):
        return result
    return result._replace(description=one_line(gaps)) if gaps else result


def generate_docs(dbt: DbtCliResource, build_target: Path, settings: Settings) -> bool:
    """`dbt docs generate --static` on the warehouse just built: the docs site for `make docs`, and one
    self-contained page (static_index.html) to open without a server. The build has just compiled every
    node, so the docs start from its manifest and skip compiling again (a third of the time)."""
    docs_dir = settings.docs_dir
    docs_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(build_target / "manifest.json", docs_dir / "manifest.json")
    if (build_target / PARTIAL_PARSE).exists():  # the build's parse, so that the docs do not parse again
        shutil.copy2(build_target / PARTIAL_PARSE, docs_dir / PARTIAL_PARSE)
    invocation = dbt.cli(["docs", "generate", "--static", "--no-compile", "--vars", settings.dbt_vars_json],
                         target_path=docs_dir, raise_on_error=False)
    invocation.wait()
    return invocation.is_successful()


def _invocation_target(run_id: str, warehouse_path: Path) -> Path:
    """A target folder of its own for this build, holding the last parse made for this warehouse.

    dbt reuses a saved parse only if the profile, the settings (dbt vars) and the mapping tables' folder it was
    made with are the same. `delivery-dbt` names the warehouse by its file name, so the project's own parse
    (`target/`, which Dagster copies into a build folder without one) serves every warehouse of the same file
    name and configuration; a warehouse configured otherwise keeps its own, made by its last build."""
    target = _target_root() / f"{INVOCATION_PREFIX}{run_id[:8]}-{uuid.uuid4().hex[:8]}"
    target.mkdir(parents=True)
    kept = _kept_parse(warehouse_path)
    if kept.exists():
        shutil.copy2(kept, target / PARTIAL_PARSE)
    return target


def _keep_parse(target: Path, warehouse_path: Path) -> None:
    """Keep the build's parse for the next build of the same warehouse (written aside, then renamed:
    two warehouses build at once in separate processes)."""
    parsed, kept = target / PARTIAL_PARSE, _kept_parse(warehouse_path)
    if not parsed.exists():
        return
    kept.parent.mkdir(parents=True, exist_ok=True)
    aside = kept.with_name(f".{kept.name}.{uuid.uuid4().hex}")
    shutil.copy2(parsed, aside)
    os.replace(aside, kept)


def _kept_parse(warehouse_path: Path) -> Path:
    key = hashlib.sha256(str(Path(warehouse_path).resolve()).encode()).hexdigest()[:16]
    return _target_root() / "parses" / f"{key}.msgpack"


def _target_root(project: DbtProject = dbt_project) -> Path:
    """The project's target folder, where its manifest, the builds' folders and the kept parses live."""
    root = project.manifest_path.parent
    return root if root.is_absolute() else Path(project.project_dir) / root


def _prune_invocation_folders(target_root: Path) -> None:
    """Each dbt invocation gets a target folder of its own (artifacts, logs, a manifest copy, some MB):
    keep the newest few for debugging, so that a daily schedule does not fill the disk."""
    folders = sorted(
        (p for p in target_root.glob(f"{INVOCATION_PREFIX}*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEPT_INVOCATIONS:]:
        shutil.rmtree(old, ignore_errors=True)


def already_published(settings: Settings) -> bool:
    """The serving snapshot was built from these very raw rows and this very dbt project, and published
    people as the settings now say (the same key, names or not)."""
    published = read_snapshot(settings.serving_path)
    return (
        published is not None
        and published.dbt_fingerprint == dbt_fingerprint()
        and published.raw_fingerprint == working_fingerprint(settings.warehouse_path)
        and published.people_policy == people_policy(settings).fingerprint
    )


def needs_full_refresh(settings: Settings) -> bool:
    """Incremental models add what new loads brought to what an earlier build made. That holds only while
    the models are the same: after any change to the dbt project since the published snapshot (or with no
    snapshot yet), every incremental model is rebuilt from the raw tables."""
    published = read_snapshot(settings.serving_path)
    return published is None or published.dbt_fingerprint != dbt_fingerprint()


def dbt_resource(project: DbtProject = dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
