"""A configuration folder that collects from a replay server, for the collect tests."""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.collect.config import load_collect_config

FAST_RETRIES = "backoff_seconds: 0.01\nmax_attempts: 4\nsecondary_limit_wait_seconds: 0.2\n"


def write_config(root: Path, collect_yaml: str) -> Path:
    """`root/config` with settings.yaml (landing `root/exports`, warehouse `root/warehouse`) and collect.yaml."""
    config = root / "config"
    (config / "mappings").mkdir(parents=True, exist_ok=True)
    (config / "settings.yaml").write_text("exports_dir: ../exports\nwarehouse_path: ../warehouse/delivery.duckdb\n")
    (config / "collect.yaml").write_text(FAST_RETRIES + collect_yaml)
    return config


def config_of(root: Path):
    return load_collect_config(root / "config")


def landing_files(exports: Path) -> dict[str, bytes]:
    """Every file of the landing folder, by its path relative to it."""
    return {p.relative_to(exports).as_posix(): p.read_bytes() for p in sorted(exports.rglob("*")) if p.is_file()}


def assert_every_file_is_a_served_body(files: dict[str, bytes], served: dict[str, bytes]) -> None:
    """Each landing file is, byte for byte, one body the server served, and each served body landed once."""
    assert sorted(files.values()) == sorted(served.values())
    for body in files.values():
        json.loads(body)  # never a truncated file
