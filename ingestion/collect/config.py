"""What to collect: `collect.yaml` in the configuration folder names, per tool, the base URL and the scope;
credentials come only from environment variables or the folder's `secrets.yaml`, never from this file.

A tool without a section in `collect.yaml` is not collected (its exports may be delivered by hand)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.config.loader import ConfigError, Problem
from orchestration.config.spec import SECRETS_FILE

COLLECT_FILE = "collect.yaml"


@dataclass(frozen=True)
class ToolSpec:
    """What one tool's section may hold: its default base URL, its scope keys and its credentials."""

    base_url: str
    scope_keys: tuple[str, ...]
    # Each credential: (name in the section's `credentials` or the secrets file, environment variable)
    credentials: tuple[tuple[str, str], ...]
    # Scope keys of which at least one must be given
    required_scope: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    token_help: str = ""


TOOL_SPECS: dict[str, ToolSpec] = {
    "github": ToolSpec(
        "https://api.github.com", ("repositories", "organisations"), (("github_token", "GITHUB_TOKEN"),),
        required_scope=("repositories", "organisations"),
        token_help="a token with read access to the repositories' contents, pull requests, deployments and actions",
    ),
    "jira": ToolSpec(
        "", ("projects", "jql"), (("jira_user", "JIRA_USER"), ("jira_api_token", "JIRA_API_TOKEN")),
        required_scope=("projects", "jql"), options=("changelog_page_size", "api"),
        token_help="the account's e-mail (JIRA_USER) and an API token with read:jira-work "
                   "(Data Center, `api: datacenter`: the user name and a password or token)",
    ),
    "pagerduty": ToolSpec(
        "https://api.pagerduty.com", ("services", "teams"), (("pagerduty_token", "PAGERDUTY_TOKEN"),),
        token_help="a read-only REST API key",
    ),
    "gitlab": ToolSpec(
        "https://gitlab.com/api/v4", ("projects", "groups"), (("gitlab_token", "GITLAB_TOKEN"),),
        required_scope=("projects", "groups"), token_help="a token with the read_api scope",
    ),
    "azure_devops": ToolSpec(
        "https://dev.azure.com", ("organization", "projects"), (("azure_devops_pat", "AZURE_DEVOPS_PAT"),),
        required_scope=("organization",),
        token_help="a personal access token with Work Items, Code and Build (Read), Environment (Read & "
                   "manage), and Project and Team (Read) when projects are discovered",
    ),
    "jenkins": ToolSpec(
        "", ("controller", "jobs"), (("jenkins_user", "JENKINS_USER"), ("jenkins_api_token", "JENKINS_API_TOKEN")),
        required_scope=("jobs",), options=("builds_per_request",),
        token_help="a user and an API token with Overall/Read and Job/Read",
    ),
    "opsgenie": ToolSpec(
        "https://api.opsgenie.com", ("query",), (("opsgenie_api_key", "OPSGENIE_API_KEY"),),
        token_help="an API key (Settings, API key management) with the Read access right",
    ),
}
TOOL_ORDER = tuple(TOOL_SPECS)


class Secret(str):
    """A credential: its repr and str in messages never show it."""

    def __repr__(self) -> str:
        return "Secret('***')"

    def reveal(self) -> str:
        return str.__str__(self)


@dataclass(frozen=True)
class ToolConfig:
    tool: str
    base_url: str
    scope: dict[str, object]
    credentials: dict[str, Secret] = field(repr=False)
    options: dict[str, object] = field(default_factory=dict)
    missing_credentials: str = ""  # what to set, when a credential is missing

    def values(self, key: str) -> list[str]:
        value = self.scope.get(key) or []
        return [str(value)] if isinstance(value, str) else [str(item) for item in value]


@dataclass(frozen=True)
class CollectConfig:
    tools: dict[str, ToolConfig]
    history_days: int = 365
    overlap_hours: float = 24.0
    page_size: int = 100
    max_in_flight_per_host: int = 4
    max_attempts: int = 6
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 900.0
    secondary_limit_wait_seconds: float = 60.0
    request_timeout_seconds: float = 60.0

    @property
    def configured(self) -> tuple[str, ...]:
        return tuple(tool for tool in TOOL_ORDER if tool in self.tools)


GENERAL = {
    "history_days": int, "overlap_hours": float, "page_size": int, "max_in_flight_per_host": int,
    "max_attempts": int, "backoff_seconds": float, "max_wait_seconds": float,
    "secondary_limit_wait_seconds": float, "request_timeout_seconds": float,
}


def load_collect_config(config_dir: Path, environ: dict[str, str] | None = None) -> CollectConfig:
    """Reads `collect.yaml` and the credentials; every problem at once, as a ConfigError."""
    environ = dict(os.environ if environ is None else environ)
    path = config_dir / COLLECT_FILE
    if not path.is_file():
        return CollectConfig(tools={})
    problems: list[Problem] = []
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError([Problem(path, None, f"not valid YAML: {error}")]) from None
    if not isinstance(body, dict):
        raise ConfigError([Problem(path, None, "expected a mapping of settings and tools")])
    secrets = _read_secrets(config_dir)
    general: dict[str, object] = {}
    tools: dict[str, ToolConfig] = {}
    for key, value in body.items():
        if key in GENERAL:
            try:
                general[key] = GENERAL[key](value)
            except (TypeError, ValueError):
                problems.append(Problem(path, None, f"{key}: expected a number, got {value!r}"))
        elif key in TOOL_SPECS:
            tool = _tool_config(key, value or {}, path, secrets, environ, problems)
            if tool:
                tools[key] = tool
        else:
            known = ", ".join([*GENERAL, *TOOL_SPECS])
            problems.append(Problem(path, None, f"unknown entry {key!r} (known: {known})"))
    if problems:
        raise ConfigError(problems)
    return CollectConfig(tools=tools, **general)  # type: ignore[arg-type]


def _tool_config(tool, section, path, secrets, environ, problems) -> ToolConfig | None:
    spec = TOOL_SPECS[tool]
    if not isinstance(section, dict):
        problems.append(Problem(path, None, f"{tool}: expected a mapping"))
        return None
    allowed = {"base_url", *spec.scope_keys, *spec.options}
    for key in section:
        if key not in allowed:
            problems.append(Problem(path, None, f"{tool}.{key}: unknown (known: {', '.join(sorted(allowed))}); "
                                                "credentials belong in the environment or secrets.yaml"))
    base_url = str(section.get("base_url") or spec.base_url).rstrip("/")
    if not base_url:
        problems.append(Problem(path, None, f"{tool}.base_url: required (the tool's own address)"))
    scope = {key: section[key] for key in spec.scope_keys if section.get(key) not in (None, "", [])}
    if spec.required_scope and not any(key in scope for key in spec.required_scope):
        problems.append(Problem(path, None, f"{tool}: name the scope with {' or '.join(spec.required_scope)}"))
    credentials: dict[str, Secret] = {}
    missing: list[str] = []
    for name, variable in spec.credentials:
        value = environ.get(variable) or secrets.get(name)
        if value:
            credentials[name] = Secret(str(value))
        else:
            missing.append(f"set {variable} or `{name}` in {SECRETS_FILE}")
    # A missing credential fails this tool's collection, not the configuration: the other tools collect,
    # and a machine that only loads or serves needs no token.
    missing_credentials = f"{tool}: no credential: {'; '.join(missing)} ({spec.token_help})" if missing else ""
    options = {key: section[key] for key in spec.options if key in section}
    return ToolConfig(tool, base_url, scope, credentials, options, missing_credentials)


def _read_secrets(config_dir: Path) -> dict[str, object]:
    path = config_dir / SECRETS_FILE
    if not path.is_file():
        return {}
    try:
        body = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        # Never echo the file: it holds credentials.
        raise ConfigError([Problem(path, None, "not valid YAML")]) from None
    return body if isinstance(body, dict) else {}
