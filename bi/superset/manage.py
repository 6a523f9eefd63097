"""Provision, run and version the local Superset instance that reads the serving file.

Runs with the Python of `.venv-bi` (Superset's own environment), with SUPERSET_CONFIG_PATH pointing at
`bi/superset/superset_config.py` and SUPERSET_HOME at the instance's folder (`make bi` sets both).

    python bi/superset/manage.py provision --serving warehouse/serving.duckdb   # metadata DB, admin, bundle
    python bi/superset/manage.py import --serving warehouse/serving.duckdb      # the bundle only
    python bi/superset/manage.py export                                         # UI edits back into YAML
    python bi/superset/manage.py start | stop | serve                           # web server on loopback
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ASSETS_DIR = HERE / "assets"
BUNDLE_ROOT = "delivery_warehouse"
# The bundle names the serving file by this placeholder; the import writes the local absolute path.
SERVING_URI_PLACEHOLDER = "duckdb:///warehouse/serving.duckdb?access_mode=read_only"
ADMIN_USERNAME = "admin"
# Chart descriptions link to the metric definitions in docs/ by this placeholder; the import writes
# DELIVERY_DOCS_URL (say, the docs folder of the repository's web page), else the local docs folder.
DOCS_URL_PLACEHOLDER = "https://docs.invalid/"


def docs_url() -> str:
    return os.environ.get("DELIVERY_DOCS_URL") or f"file://{HERE.parents[1] / 'docs'}/"


def superset_home() -> Path:
    return Path(os.environ.get("SUPERSET_HOME", HERE.parents[1] / ".superset")).resolve()


def port() -> int:
    return int(os.environ.get("SUPERSET_PORT", "8088"))


def serving_uri(serving_path: Path) -> str:
    """Read-only: Superset only reads, and the publisher must be free to swap the file underneath."""
    return f"duckdb:///{serving_path.resolve()}?access_mode=read_only"


# --- The bundle: YAML files in the repository, zipped at import time --------------------------------


def bundle_files(assets_dir: Path = ASSETS_DIR) -> dict[str, str]:
    """Every YAML file of the bundle, by its path inside the bundle."""
    return {str(p.relative_to(assets_dir)): p.read_text() for p in sorted(assets_dir.rglob("*.yaml"))}


def with_serving_uri(files: dict[str, str], uri: str) -> dict[str, str]:
    """The bundle with every database pointed at the given serving URI."""
    rewritten = dict(files)
    for name, text in files.items():
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            config["sqlalchemy_uri"] = uri
            rewritten[name] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    return rewritten


def with_docs_url(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    """The bundle with the links of chart descriptions and dashboard texts pointing at `new`."""
    return {name: text.replace(old, new) for name, text in files.items()}


def zip_bundle(files: dict[str, str]) -> bytes:
    """The zip Superset's import expects: one root folder holding metadata.yaml and the asset folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in files.items():
            bundle.writestr(f"{BUNDLE_ROOT}/{name}", text)
    return buffer.getvalue()


def build_bundle_zip(serving_path: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    files = with_docs_url(bundle_files(), DOCS_URL_PLACEHOLDER, docs_url())
    out.write_bytes(zip_bundle(with_serving_uri(files, serving_uri(serving_path))))
    return out


# --- Superset itself ----------------------------------------------------------------------------------


def superset_app():
    from superset.app import create_app

    return create_app()


def run_superset_cli(*args: str) -> None:
    superset = Path(sys.executable).with_name("superset")
    subprocess.run([str(superset), *args], check=True, stdout=subprocess.DEVNULL)


def admin_password() -> str:
    """The local admin's password: SUPERSET_ADMIN_PASSWORD, else one generated and kept in SUPERSET_HOME."""
    if password := os.environ.get("SUPERSET_ADMIN_PASSWORD"):
        return password
    password_file = superset_home() / "admin_password"
    if not password_file.exists():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    return password_file.read_text().strip()


def ensure_admin(app) -> None:
    """Create the admin user, or reset its password to the local one."""
    from superset import security_manager
    from superset.extensions import db

    with app.app_context():
        user = security_manager.find_user(username=ADMIN_USERNAME)
        if user is None:
            security_manager.add_user(
                ADMIN_USERNAME, "Local", "Admin", "admin@localhost", security_manager.find_role("Admin"),
                password=admin_password(),
            )
        else:
            security_manager.reset_password(user.id, admin_password())
        db.session.commit()


def import_bundle(app, bundle_zip: Path) -> None:
    """Import (and overwrite) every database, dataset, chart and dashboard of the bundle."""
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    with app.app_context(), zipfile.ZipFile(bundle_zip) as bundle:
        contents = get_contents_from_bundle(bundle)
        with override_user(security_manager.find_user(username=ADMIN_USERNAME)):
            ImportAssetsCommand(contents).run()


def export_bundle(app, assets_dir: Path = ASSETS_DIR) -> list[Path]:
    """Write every asset of the instance as YAML under assets_dir, the serving URI as the placeholder."""
    from superset import security_manager
    from superset.commands.export.assets import ExportAssetsCommand
    from superset.utils.core import override_user

    with app.app_context(), override_user(security_manager.find_user(username=ADMIN_USERNAME)):
        files = {name: content() for name, content in ExportAssetsCommand().run()}
    files = with_docs_url(with_serving_uri(files, SERVING_URI_PLACEHOLDER), docs_url(), DOCS_URL_PLACEHOLDER)
    # Keep metadata.yaml stable: its export timestamp would change the file on every export.
    files["metadata.yaml"] = yaml.safe_dump({"version": "1.0.0", "type": "assets"}, sort_keys=False)
    for stale in assets_dir.rglob("*.yaml"):
        stale.unlink()
    written = []
    for name, text in files.items():
        path = assets_dir / stable_file_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def stable_file_name(name: str) -> str:
    """`charts/Flow_efficiency_by_team_18.yaml` -> `charts/Flow_efficiency_by_team.yaml`: ids are per instance."""
    return re.sub(r"_\d+\.yaml$", ".yaml", name)


def provision(serving_path: Path) -> None:
    """Metadata database, roles, admin user and the bundle; safe to run again."""
    if not serving_path.exists():
        sys.exit(f"No serving file at {serving_path}: run `make run` first.")
    run_superset_cli("db", "upgrade")
    run_superset_cli("init")
    app = superset_app()
    ensure_admin(app)
    import_bundle(app, build_bundle_zip(serving_path, superset_home() / "bundle.zip"))


# --- The web server -----------------------------------------------------------------------------------


def gunicorn_command(daemon: bool) -> list[str]:
    home = superset_home()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind", f"127.0.0.1:{port()}",
        "--workers", "2", "--worker-class", "gthread", "--threads", "4",
        "--timeout", "120", "--limit-request-line", "0", "--limit-request-field_size", "0",
        "--error-logfile", str(home / "superset.log"),
    ]
    if daemon:
        command += ["--daemon", "--pid", str(home / "superset.pid")]
    return [*command, "superset.app:create_app()"]


def is_up(timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port()}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_up(seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not is_up():
        if time.monotonic() > deadline:
            sys.exit(f"Superset did not answer on port {port()} within {seconds:.0f} s; see {superset_home()}/superset.log")
        time.sleep(1)


def start() -> None:
    if not is_up():
        subprocess.run(gunicorn_command(daemon=True), check=True)
        wait_until_up()
    print(f"Superset: http://127.0.0.1:{port()}/  user {ADMIN_USERNAME}, password in {superset_home()}/admin_password"
          if "SUPERSET_ADMIN_PASSWORD" not in os.environ else f"Superset: http://127.0.0.1:{port()}/")
    print("Stop it with `make bi-stop`.")


def stop() -> None:
    pid_file = superset_home() / "superset.pid"
    if pid_file.exists():
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
        print("Superset stopped.")


def serve() -> None:
    """In the foreground, for a terminal of its own."""
    os.execv(gunicorn_command(daemon=False)[0], gunicorn_command(daemon=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["provision", "import", "export", "start", "stop", "serve", "bundle"])
    parser.add_argument("--serving", type=Path, help="The serving file the database points at.")
    parser.add_argument("--out", type=Path, help="Where `bundle` writes the zip.")
    args = parser.parse_args()
    if args.command in {"provision", "import", "bundle"} and args.serving is None:
        parser.error("--serving is required")
    if args.command == "provision":
        provision(args.serving)
    elif args.command == "import":
        import_bundle(superset_app(), build_bundle_zip(args.serving, superset_home() / "bundle.zip"))
    elif args.command == "bundle":
        print(build_bundle_zip(args.serving, args.out or superset_home() / "bundle.zip"))
    elif args.command == "export":
        print(f"{len(export_bundle(superset_app()))} files written to {ASSETS_DIR}")
    else:
        {"start": start, "stop": stop, "serve": serve}[args.command]()


if __name__ == "__main__":
    main()
