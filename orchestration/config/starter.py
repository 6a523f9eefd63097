"""`delivery init DIR`: a commented starter configuration folder, written from the same specification the
loader validates against, so that it always lists every setting and every mapping."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from orchestration.config.spec import (
    MAPPINGS,
    MAPPINGS_FOLDER,
    SECRETS_FILE,
    SETTINGS,
    SETTINGS_FILE,
    Setting,
)

HEADER = """\
# Delivery Warehouse settings. Every setting is listed with its default, commented out: uncomment a line to
# change it. Relative paths are relative to this folder. An environment variable DELIVERY_<NAME> (e.g.
# DELIVERY_EXPORTS_DIR) overrides one setting for one run. The mapping tables are in mappings/; secrets (the
# pseudonym key) go in secrets.yaml, which must never be committed.
"""


def write_starter(folder: Path) -> list[Path]:
    """Write the starter into an empty (or new) folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty: `delivery init` writes only into a new or empty folder")
    written = [_write(folder / SETTINGS_FILE, settings_text()), _write(folder / ".gitignore", f"{SECRETS_FILE}\n")]
    (folder / MAPPINGS_FOLDER).mkdir()
    for mapping in MAPPINGS:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(mapping.header)
        written.append(_write(folder / MAPPINGS_FOLDER / mapping.file_name, out.getvalue()))
    return written


def settings_text() -> str:
    lines, section = [HEADER], None
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines.append(f"\n# --- {section} ---\n")
        lines.append(_commented(setting))
    return "".join(lines)


def _commented(setting: Setting) -> str:
    value = yaml.safe_dump({setting.name: setting.default}, default_flow_style=True, width=200).strip()[1:-1]
    return f"# {setting.meaning}\n# {value}\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
