"""Reads and validates a configuration folder before any work: every problem is reported at once, each with
its file, its line and what is wrong, so that a run stops in its first second rather than in a dbt test
twenty minutes later."""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from orchestration.config.spec import (
    DELIVERY_PHASES,
    DORA_REPORT_YEARS,
    FLOW_ITEMS,
    FLOW_STATES,
    MAPPINGS,
    MAPPINGS_FOLDER,
    SETTINGS,
    SETTINGS_BY_NAME,
    SETTINGS_FILE,
    UNMAPPED_TEAM,
    Mapping,
    Setting,
)


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration folder is not valid; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"The configuration is not valid ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class MappingTable:
    mapping: Mapping
    source: Path | None
    rows: tuple[tuple[str, ...], ...]  # the mapping's declared columns, in order
    lines: tuple[int, ...] = ()  # each row's line in its file

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.mapping.header)
        writer.writerows(self.rows)
        return out.getvalue()


@dataclass(frozen=True)
class Config:
    folder: Path
    values: dict[str, object]
    # Where each value came from: the settings file (with its line), an environment variable or the default.
    origins: dict[str, str]
    mappings: dict[str, MappingTable]


def load_config(folder: Path, environ: dict[str, str] | None = None) -> Config:
    """The folder's settings (overridden one by one by `DELIVERY_<NAME>` variables) and mapping tables."""
    environ = os.environ if environ is None else environ
    folder = folder.expanduser().resolve()
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ConfigError([Problem(folder, None, "no such configuration folder (DELIVERY_CONFIG_DIR); "
                                                 "`delivery init DIR` writes a starter one")])
    values, origins = _read_settings(folder / SETTINGS_FILE, environ, problems)
    mappings = _read_mappings(folder / MAPPINGS_FOLDER, problems)
    if problems:
        raise ConfigError(problems)
    return Config(folder, values, origins, mappings)


# --- settings ------------------------------------------------------------------------------------------------

def _read_settings(path: Path, environ, problems: list[Problem]) -> tuple[dict[str, object], dict[str, str]]:
    # A default path, like a path in the file, is relative to the configuration folder.
    values = {s.name: _convert(s, s.default, path.parent, False) if s.kind == "path" else s.default for s in SETTINGS}
    origins = {setting.name: "default" for setting in SETTINGS}
    for name, (raw, line) in _settings_file_entries(path, problems).items():
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            problems.append(Problem(path, line, f"unknown setting '{name}'{_did_you_mean(name)}"))
            continue
        if raw is None:  # `name:` with nothing after it keeps the default
            continue
        value = _checked(setting, raw, path, line, problems, relative_to=path.parent)
        if value is not None:
            values[name], origins[name] = value, f"{path.name}:{line}"
    for setting in SETTINGS:
        if setting.environment_variable in environ:
            variable = setting.environment_variable
            value = _checked(setting, environ[variable], Path(f"${variable}"), None, problems,
                             relative_to=Path.cwd(), from_text=True)
            if value is not None:
                values[setting.name], origins[setting.name] = value, variable
    return values, origins


def _settings_file_entries(path: Path, problems: list[Problem]) -> dict[str, tuple[object, int]]:
    """Top-level keys of the settings file with their values and 1-based lines."""
    if not path.exists():
        return {}
    try:
        node = yaml.compose(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else None, f"not valid YAML: {error}"))
        return {}
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(path, node.start_mark.line + 1, "expected `setting: value` lines"))
        return {}
    entries: dict[str, tuple[object, int]] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.value in entries:
            problems.append(Problem(path, line, f"setting '{key_node.value}' is given twice "
                                                f"(first on line {entries[key_node.value][1]})"))
            continue
        entries[key_node.value] = (yaml.safe_load(yaml.serialize(value_node)), line)
    return entries


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, SETTINGS_BY_NAME, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _checked(setting: Setting, raw: object, file: Path, line: int | None, problems: list[Problem], *,
             relative_to: Path, from_text: bool = False) -> object:
    """The value converted to the setting's kind, or None after recording why it is not one."""
    if raw is None:
        return None
    try:
        return _convert(setting, raw, relative_to, from_text)
    except (TypeError, ValueError) as error:
        problems.append(Problem(file, line, f"{setting.name}: {error}"))
        return None


def _convert(setting: Setting, raw: object, relative_to: Path, from_text: bool) -> object:
    kind = setting.kind
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        if str(raw).strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if str(raw).strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    if kind in {"int", "float"}:
        if isinstance(raw, bool):
            raise ValueError(f"expected a number, got {raw!r}")
        try:
            number = int(raw) if kind == "int" else float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected {'a whole number' if kind == 'int' else 'a number'}, got {raw!r}") from None
        if setting.name == "dora_report_year" and number not in DORA_REPORT_YEARS:
            raise ValueError(f"no tier thresholds for {number}: one of {', '.join(map(str, DORA_REPORT_YEARS))}")
        if number < 0:
            raise ValueError(f"expected a number of zero or more, got {number}")
        if setting.name == "dbt_threads" and number < 1:
            raise ValueError(f"dbt builds with at least one thread, got {number}")
        return number
    if kind == "labels":
        labels = [part.strip() for part in raw.split(",")] if from_text and isinstance(raw, str) else raw
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise TypeError(f"expected a list of labels, got {raw!r}")
        return [label for label in labels if label]
    if not isinstance(raw, str | int | float):
        raise TypeError(f"expected text, got {raw!r}")
    text = str(raw)
    if kind == "path":
        return str((relative_to / Path(text).expanduser()).resolve()) if text else ""
    if setting.choices and text not in setting.choices:
        raise ValueError(f"expected one of {', '.join(setting.choices)}, got {text!r}")
    if setting.name == "engine" and text == "spark":
        raise ValueError("`delivery run` builds on duckdb only so far; on spark, run dbt alone with "
                         "DELIVERY_ENGINE=spark (docs/scale-out.md)")
    if kind == "pattern":
        _check_pattern(text)
    if kind == "memory" and not MEMORY_SIZE.fullmatch(text.strip()):
        raise ValueError(f"expected a memory size such as 3GB, 500MB or 2GiB, got {text!r}")
    if kind == "timestamp" and text:
        try:
            datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise ValueError(f"expected 'YYYY-MM-DD HH:MM:SS' (UTC) or empty, got {text!r}") from None
    return text


# The sizes DuckDB's memory_limit accepts: a number and a decimal or binary unit.
MEMORY_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*([KMGT]i?B|B)", re.IGNORECASE)


def _check_pattern(text: str) -> None:
    try:
        re.compile(text)
    except re.error as error:
        raise ValueError(f"malformed regular expression {text!r}: {error}") from None


# --- mappings ------------------------------------------------------------------------------------------------

def _read_mappings(folder: Path, problems: list[Problem]) -> dict[str, MappingTable]:
    tables = {mapping.name: _read_mapping(folder / mapping.file_name, mapping, problems) for mapping in MAPPINGS}
    teams = {row[0] for row in tables["teams"].rows}
    for table in tables.values():
        _check_teams(table, teams, problems)
    if folder.is_dir():
        known = {mapping.file_name for mapping in MAPPINGS}
        for path in sorted(folder.glob("*.csv")):
            if path.name not in known:
                close = difflib.get_close_matches(path.name, known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else f"; the mappings are {', '.join(sorted(known))}"
                problems.append(Problem(path, None, f"unknown mapping file{hint}"))
    return tables


def _read_mapping(path: Path, mapping: Mapping, problems: list[Problem]) -> MappingTable:
    """A missing file is an empty mapping (a tool the organisation does not use)."""
    if not path.exists():
        return MappingTable(mapping, None, ())
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    header = [name.strip() for name in next(reader, [])]
    missing = [column.name for column in mapping.columns if column.required and column.name not in header]
    if missing:
        problems.append(Problem(path, 1, f"missing required column(s) {', '.join(missing)}; "
                                         f"the header must name {', '.join(mapping.header)}"))
        return MappingTable(mapping, path, ())
    positions = [header.index(c.name) if c.name in header else None for c in mapping.columns]
    rows, lines, seen = [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = tuple(cells[p].strip() if p is not None and p < len(cells) else "" for p in positions)
        if _row_problems(path, line, mapping, row, problems):
            continue
        key = tuple(row[mapping.header.index(name)] for name in mapping.key)
        comparable = tuple(part.lower() for part in key) if mapping.case_insensitive_key else key
        if comparable in seen:
            shown = ", ".join(f"{name}={value!r}" for name, value in zip(mapping.key, key, strict=True))
            problems.append(Problem(path, line, f"duplicate key {shown} (first on line {seen[comparable]})"))
            continue
        seen[comparable] = line
        rows.append(row)
        lines.append(line)
    return MappingTable(mapping, path, tuple(rows), tuple(lines))


_ALLOWED = {"phase": DELIVERY_PHASES, "flow_state": FLOW_STATES, "flow_item": FLOW_ITEMS}


def _row_problems(path: Path, line: int, mapping: Mapping, row: tuple[str, ...], problems: list[Problem]) -> bool:
    found = False
    for column, value in zip(mapping.columns, row, strict=True):
        message = None
        if column.required and not value:
            message = f"{column.name} is empty"
        elif value and column.kind in _ALLOWED and value not in _ALLOWED[column.kind]:
            message = f"{column.name} {value!r} is not one of {', '.join(_ALLOWED[column.kind])}"
        elif value and column.kind == "pattern":
            try:
                _check_pattern(value)
            except ValueError as error:
                message = f"{column.name}: {error}"
        if message:
            problems.append(Problem(path, line, message))
            found = True
    return found


def _check_teams(table: MappingTable, teams: set[str], problems: list[Problem]) -> None:
    if table.source is None:
        return
    columns = [i for i, column in enumerate(table.mapping.columns) if column.kind == "team"]
    for row, line in zip(table.rows, table.lines, strict=True):
        if table.mapping.name == "teams" and row[0] == UNMAPPED_TEAM:
            problems.append(Problem(table.source, line,
                                    f"'{UNMAPPED_TEAM}' is where unmapped records count: give the team another slug"))
        for i in columns:
            if table.mapping.name != "teams" and row[i] not in teams:
                close = difflib.get_close_matches(row[i], teams, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(Problem(table.source, line,
                                        f"unknown team {row[i]!r}: not in {MAPPINGS_FOLDER}/teams.csv{hint}"))
