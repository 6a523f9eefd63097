"""Superset over a demo serving file: every chart of the bundle answers with rows, every dashboard renders.

Run by `make test-bi` (marker `bi`), not by `make test`: it needs `.venv-bi` (`make bi`) and Chromium
(`make browser`), and takes a few minutes. Set BI_TEST_SERVING_PATH to a published serving file to skip
building the demo warehouse.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.bi

REPOSITORY = Path(__file__).resolve().parents[2]
BI_PYTHON = REPOSITORY / ".venv-bi" / "bin" / "python"
MANAGE = REPOSITORY / "bi" / "superset" / "manage.py"
SCREENSHOTS = REPOSITORY / "bi" / "superset" / "screenshots.py"
BUNDLE = REPOSITORY / "bi" / "superset" / "assets"
IMAGES = REPOSITORY / "docs" / "img"
MAX_SCREENSHOT_BYTES = 500_000


@pytest.fixture(scope="module")
def serving_file(tmp_path_factory) -> Path:
    """A serving file published from the demo organisation (or the one named by BI_TEST_SERVING_PATH)."""
    if prebuilt := os.environ.get("BI_TEST_SERVING_PATH"):
        return Path(prebuilt).resolve()
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "DELIVERY_EXPORTS_DIR": str(root / "exports"),
        "DELIVERY_WAREHOUSE_PATH": str(root / "warehouse" / "delivery.duckdb"),
        "DELIVERY_SERVING_PATH": str(root / "warehouse" / "serving.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    delivery = REPOSITORY / ".venv" / "bin" / "delivery"
    demo = subprocess.run([str(delivery), "demo"], env=env, capture_output=True, text=True, check=False)
    if demo.returncode != 0:
        pytest.fail(f"`delivery demo` failed:\n{demo.stdout[-3000:]}\n{demo.stderr[-3000:]}")
    run = subprocess.run([str(delivery), "run"], env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        pytest.fail(f"`delivery run` of the demo organisation failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return root / "warehouse" / "serving.duckdb"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"Superset did not answer at {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def superset(serving_file: Path, tmp_path_factory):
    """A Superset of its own (metadata DB in a temp folder, a free loopback port) with the bundle imported."""
    if not BI_PYTHON.exists():
        pytest.fail("No .venv-bi: run `make bi` (or `make test-bi`) first.")
    home = tmp_path_factory.mktemp("superset")
    port = free_port()
    password = secrets.token_urlsafe(12)
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_CONFIG_PATH": str(REPOSITORY / "bi" / "superset" / "superset_config.py"),
        "SUPERSET_PORT": str(port),
        "SUPERSET_ADMIN_PASSWORD": password,
    }
    subprocess.run([str(BI_PYTHON), str(MANAGE), "provision", "--serving", str(serving_file)], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([str(BI_PYTHON), str(MANAGE), "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url)
        yield {"url": url, "password": password}
    finally:
        server.terminate()
        server.wait(timeout=60)


class Api:
    """The REST API as the admin, with a JWT from /api/v1/security/login."""

    def __init__(self, url: str, password: str):
        self.url = url
        login = self._request("POST", "/api/v1/security/login",
                              {"username": "admin", "password": password, "provider": "db"}, token=None)
        self.token = login["access_token"]

    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        if body is not None:  # a GET with a JSON content type and no body is a 400 for Flask
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def get(self, path: str) -> dict:
        return self._request("GET", path, token=self.token)


def bundle_chart_count() -> int:
    return len(list((BUNDLE / "charts").glob("*.yaml")))


def test_the_database_is_the_serving_file_read_only(superset, serving_file):
    api = Api(superset["url"], superset["password"])
    databases = api.get("/api/v1/database/?q=(page_size:100)")["result"]
    assert len(databases) == 1
    database = api.get(f"/api/v1/database/{databases[0]['id']}/connection")["result"]
    assert database["sqlalchemy_uri"] == f"duckdb:///{serving_file}?access_mode=read_only"
    assert not database["allow_dml"]


def test_every_chart_returns_rows(superset):
    api = Api(superset["url"], superset["password"])
    charts = api.get("/api/v1/chart/?q=(page_size:100)")["result"]
    assert len(charts) == bundle_chart_count() >= 30
    empty_or_failed = {}
    for chart in charts:
        try:
            results = api.get(f"/api/v1/chart/{chart['id']}/data/")["result"]
        except urllib.error.HTTPError as error:
            empty_or_failed[chart["slice_name"]] = f"HTTP {error.code}: {error.read()[:500]!r}"
            continue
        if not results or any(r.get("error") or not r.get("rowcount") for r in results):
            empty_or_failed[chart["slice_name"]] = [(r.get("error"), r.get("rowcount")) for r in results]
    assert empty_or_failed == {}


def test_every_dashboard_renders_its_charts(superset):
    rendered = subprocess.run(
        [str(BI_PYTHON), str(SCREENSHOTS), "--url", superset["url"], "--password", superset["password"],
         "--out", str(IMAGES)],
        check=True, capture_output=True, text=True, timeout=900,
    )
    dashboards = json.loads(rendered.stdout)
    assert [d["dashboard"] for d in dashboards] == ["dora-overview", "flow-and-handoffs", "delivery-risk"]
    assert sum(len(d["charts"]) for d in dashboards) == bundle_chart_count()
    for dashboard in dashboards:
        not_drawn = [c for c in dashboard["charts"] if c["loading"] or c["error"] or not c["marks"] or not c["visible"]]
        assert not_drawn == [], dashboard["dashboard"]
        screenshot = Path(dashboard["screenshot"])
        assert 60_000 < screenshot.stat().st_size < MAX_SCREENSHOT_BYTES  # a blank grid is ~30 kB
