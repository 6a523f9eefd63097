"""Superset settings for the local instance that reads the published serving file.

Superset loads this file through SUPERSET_CONFIG_PATH (set by `make bi`). The metadata database, the
secret key and the logs live in SUPERSET_HOME (default: `.superset/` beside the repository, git-ignored).
"""

import os
import secrets
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SUPERSET_HOME = Path(os.environ.get("SUPERSET_HOME", REPOSITORY / ".superset")).resolve()
SUPERSET_HOME.mkdir(parents=True, exist_ok=True)


def _local_secret_key() -> str:
    """One random key per local instance, kept in SUPERSET_HOME: it signs sessions and encrypts secrets."""
    if key := os.environ.get("SUPERSET_SECRET_KEY"):
        return key
    key_file = SUPERSET_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(42))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _local_secret_key()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME / 'superset.db'}?check_same_thread=false"

# Loopback only; `make bi` passes the same values to the web server.
SUPERSET_WEBSERVER_ADDRESS = "127.0.0.1"
SUPERSET_WEBSERVER_PORT = int(os.environ.get("SUPERSET_PORT", "8088"))

# The serving file is replaced by every publish and never changes in between: chart results are cached
# under the snapshot id (snapshot_cache.py), so no result outlives its file. Without SUPERSET_SERVING_PATH
# nothing is cached. (Connections are not pooled either: Superset opens each query's engine with NullPool.)
sys.path.insert(0, str(Path(__file__).resolve().parent))
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "snapshot_cache.SnapshotCache",
    "CACHE_DIR": str(SUPERSET_HOME / "chart_cache"),
    "CACHE_DEFAULT_TIMEOUT": 7 * 86400,
    "CACHE_THRESHOLD": 5000,
}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 86400}

# Readers only: no uploads, no DML, no sample data.
ALLOW_FILE_UPLOAD = False
PREVENT_UNSAFE_DB_CONNECTIONS = True
# Charts render as soon as the dashboard opens (not when scrolled into view): simpler to screenshot.
FEATURE_FLAGS = {"DASHBOARD_NATIVE_FILTERS": True, "DASHBOARD_VIRTUALIZATION": False, "ALERT_REPORTS": False}

# A local instance over plain HTTP: no HTTPS-only cookies, no telemetry.
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None
ENABLE_PROXY_FIX = False
SCARF_ANALYTICS = False
ROW_LIMIT = 50000
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 120
LOG_LEVEL = os.environ.get("SUPERSET_LOG_LEVEL", "WARNING")
