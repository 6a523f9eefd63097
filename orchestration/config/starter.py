"""`delivery init DIR`: a commented starter configuration folder, written from the same specification the
loader validates against, so that it always lists every setting and every mapping."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from ingestion.collect.config import COLLECT_FILE
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
    written = [_write(folder / SETTINGS_FILE, settings_text()), _write(folder / ".gitignore", f"{SECRETS_FILE}\n"),
               _write(folder / COLLECT_FILE, COLLECT_STARTER)]
    (folder / MAPPINGS_FOLDER).mkdir()
    for mapping in MAPPINGS:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(mapping.header)
        written.append(_write(folder / MAPPINGS_FOLDER / mapping.file_name, out.getvalue()))
    return written


# Commented out: a tool with a section is collected by `delivery collect` and `delivery run`.
COLLECT_STARTER = """\
# What `delivery collect` fetches from the tools' APIs (docs/collect.md). A tool with a section is collected
# before each run; without one, its exports are delivered by hand into the landing folder. Credentials never
# go here: environment variables (GITHUB_TOKEN, JIRA_USER and JIRA_API_TOKEN, PAGERDUTY_TOKEN, GITLAB_TOKEN,
# AZURE_DEVOPS_PAT, JENKINS_USER and JENKINS_API_TOKEN, OPSGENIE_API_KEY) or secrets.yaml.
# history_days: 365
# overlap_hours: 24
#
# github:
#   repositories: [acme/checkout-api]
#   organisations: [acme]
# jira:
#   base_url: https://acme.atlassian.net
#   projects: [CHK]
# pagerduty:
#   services: [PSVC001]
# gitlab:
#   base_url: https://gitlab.com/api/v4
#   groups: [acme]
# azure_devops:
#   organization: fabrikam
# jenkins:
#   base_url: https://ci.acme.example
#   jobs: [checkout-deploy]
# opsgenie:
#   query: "teams: checkout"
"""


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
