"""The mapping gaps of a warehouse (`intermediate.int_mappings__gaps`): read them, sum them up per kind for the
run's summary and `delivery status`, and write them as CSV rows ready to fill in (`delivery mappings gaps`).

A gap file is named like the mapping file it completes and starts with exactly that mapping's columns, the
keys filled and the values to decide (team, delivery_phase, flow_state, flow_item...) empty; the columns
after them (`records`, `tool`, names...) only help decide, and the configuration loader ignores them, so a
filled-in row pastes as is into the mapping file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.config.spec import MAPPINGS_BY_NAME

GAPS_TABLE = "intermediate.int_mappings__gaps"
GAPS_COMMAND = "delivery mappings gaps"
# The value int_mappings__gaps reports for records that name no owner at all (dora_no_value_named): no
# mapping row can cover them.
NO_VALUE = "(none)"
SHOWN_VALUES = 3


class GapsUnavailable(Exception):
    """The warehouse holds no mapping gaps to read, or a gap file cannot be written where asked."""


@dataclass(frozen=True)
class MappingGap:
    mapping_file: str
    mapping_kind: str
    value: str | None
    detail: str | None
    fallback: str | None
    records: int
    tool: str | None
    display_name: str | None
    organization: str | None
    project_key: str | None
    component: str | None
    area_path: str | None
    status_id: str | None
    jira_status_category: str | None

    @property
    def fillable(self) -> bool:
        """Whether a mapping row can cover it: records naming no value at all cannot be mapped."""
        return self.value not in (None, NO_VALUE)


GAP_COLUMNS = (
    "mapping_file", "mapping_kind", "unmapped_value", "unmapped_value_detail", "fallback_used", "records_affected",
    "source_tool", "display_name", "organization", "project_key", "component", "area_path", "status_id",
    "jira_status_category",
)

# What each kind of gap is called in the run's summary and `delivery status`, and what its records are
# (int_mappings__gaps.records_affected counts them; the units differ, so kinds are never added up).
KINDS = {
    "repository_team": ("repositories", "records (pull requests, deployments, commits...)"),
    "gitlab_group_team": ("GitLab groups", "records of their projects"),
    "jira_project_team": ("Jira projects", "issues"),
    "jira_component_team": ("Jira components", "issues"),
    "pagerduty_service_team": ("PagerDuty services", "incidents"),
    "opsgenie_team_team": ("Opsgenie teams", "incidents"),
    "jenkins_deployment_rule": ("Jenkins deploy jobs", "builds"),
    "azure_devops_area_team": ("Azure Boards areas", "work items"),
    "person_team": ("people", "work items"),
    "status_phase": ("Jira statuses", "issues and status changes"),
    "azure_devops_state_phase": ("Azure Boards states", "work items and state changes"),
    "issue_type_flow_item": ("Jira issue types", "issues"),
    "work_item_type_flow_item": ("Azure Boards work item types", "work items"),
}


# Reading ----------------------------------------------------------------------------------------------------


def read_mapping_gaps(warehouse_path: Path) -> list[MappingGap]:
    """Every gap of a built warehouse, most records first (the file is opened read-only)."""
    if not Path(warehouse_path).is_file():
        raise GapsUnavailable(f"No warehouse at {warehouse_path}: run `delivery run` first.")
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            gaps = read_gaps_from(con)
    except duckdb.Error as error:  # most often a run holding the file
        raise GapsUnavailable(f"Cannot read {warehouse_path} ({error}); is a run in progress? Try after it.") from None
    if gaps is None:
        raise GapsUnavailable(
            f"{warehouse_path} holds no {GAPS_TABLE}: run `delivery run` first (the build writes it)."
        )
    return gaps


def read_gaps_from(con: duckdb.DuckDBPyConnection) -> list[MappingGap] | None:
    """The gaps of an open warehouse or serving file; None when it has no gap table of this version (not built
    yet, or built by an earlier version without the key columns)."""
    present = {
        column
        for (column,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'intermediate' "
            "and table_name = 'int_mappings__gaps'"
        ).fetchall()
    }
    if not present.issuperset(GAP_COLUMNS):
        return None
    rows = con.execute(
        f"select {', '.join(GAP_COLUMNS)} from {GAPS_TABLE} order by records_affected desc, mapping_kind, unmapped_value"
    ).fetchall()
    return [MappingGap(*row) for row in rows]


# Summing up -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindTotal:
    kind: str
    mapping_file: str
    values: int
    records: int
    top: tuple[tuple[str, int], ...]

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, (self.kind, ""))[0]

    @property
    def unit(self) -> str:
        return KINDS.get(self.kind, ("", "records"))[1]


def totals_by_kind(gaps: list[MappingGap], shown: int = SHOWN_VALUES) -> list[KindTotal]:
    """Per kind of mapping: how many values, how many records (each kind counts its own records, so kinds
    are not added up), and the values affecting the most; kinds with the most records first."""
    kinds: dict[str, list[MappingGap]] = {}
    for gap in gaps:
        kinds.setdefault(gap.mapping_kind, []).append(gap)
    totals = [
        KindTotal(
            kind,
            members[0].mapping_file,
            len(members),
            sum(gap.records for gap in members),
            tuple((_shown_value(gap), gap.records) for gap in _by_records(members)[:shown]),
        )
        for kind, members in kinds.items()
    ]
    return sorted(totals, key=lambda total: (-total.records, total.kind))


def _by_records(gaps: list[MappingGap]) -> list[MappingGap]:
    return sorted(gaps, key=lambda gap: (-gap.records, gap.value or ""))


def _shown_value(gap: MappingGap) -> str:
    if gap.mapping_kind == "person_team" and gap.display_name:
        return f"{gap.display_name} ({gap.value})"
    return gap.value if gap.value is not None else NO_VALUE


def summary_lines(gaps: list[MappingGap]) -> list[str]:
    """A line per kind of gap, then what to do: for the run's summary and `delivery status`."""
    if not gaps:
        return ["Mapping gaps: none, every value the data shows is mapped."]
    lines = [f"Mapping gaps: {len(gaps)} unmapped value(s); their records count under `unmapped` or a fallback:"]
    for total in totals_by_kind(gaps):
        top = ", ".join(f"{value} ({records:,})" for value, records in total.top)
        lines.append(
            f"  {total.label} ({total.mapping_file}): {total.values} value(s), {total.records:,} {total.unit}; "
            f"most: {top}"
        )
    lines.append(f"  Run `{GAPS_COMMAND}` to write them as rows ready to fill in.")
    return lines


def one_line(gaps: list[MappingGap]) -> str:
    """The gaps in one line: the description of the assert_no_mapping_gaps check."""
    kinds = "; ".join(
        f"{total.label} {total.values} ({total.records:,} {total.unit}, most: {total.top[0][0]})"
        for total in totals_by_kind(gaps)
    )
    return f"{len(gaps)} unmapped value(s): {kinds}. Run `{GAPS_COMMAND}` to write them as rows ready to fill in."


# Gap files --------------------------------------------------------------------------------------------------


def _value(gap: MappingGap) -> str:
    return gap.value or ""


def _jenkins_controller(gap: MappingGap) -> str:
    return _value(gap).split("/", 1)[0]


def _jenkins_job_pattern(gap: MappingGap) -> str:
    """The job path, as the anchored regular expression a deployment rule takes."""
    job_path = _value(gap).split("/", 1)[1] if "/" in _value(gap) else ""
    return f"^{re.escape(job_path)}$"


def _attribute(name: str) -> Callable[[MappingGap], str]:
    return lambda gap: getattr(gap, name) or ""


@dataclass(frozen=True)
class MappingFile:
    """A mapping file: its columns (exactly, in order), how its keys are filled from a gap, and which context
    columns follow `records`."""

    name: str
    keys: dict[str, Callable[[MappingGap], str]]
    context: tuple[str, ...] = ("tool",)

    @property
    def columns(self) -> tuple[str, ...]:
        """The mapping's own columns, as the configuration loader declares them."""
        return tuple(MAPPINGS_BY_NAME[self.name].header)

    @property
    def header(self) -> tuple[str, ...]:
        return (*self.columns, "records", *self.context)


MAPPING_FILES = {
    spec.name: spec
    for spec in (
        MappingFile(
            "repository_teams",
            {"repository": _value},
        ),
        MappingFile("gitlab_group_teams", {"group_path": _value}),
        MappingFile(
            "jira_project_teams",
            {"project_key": _attribute("project_key"), "component": _attribute("component")},
            ("tool", "display_name", "meanwhile"),
        ),
        MappingFile(
            "azure_devops_area_teams",
            {
                "organization": _attribute("organization"),
                "project": _attribute("project_key"),
                "area_path": _attribute("area_path"),
            },
        ),
        MappingFile(
            "pagerduty_service_teams",
            {"service_id": _value, "service_name": _attribute("display_name")},
        ),
        MappingFile(
            "opsgenie_team_teams",
            {"opsgenie_team_id": _value},
            ("tool", "detail"),
        ),
        MappingFile(
            "jenkins_deployment_rules",
            {"controller": _jenkins_controller, "job_path_pattern": _jenkins_job_pattern},
        ),
        MappingFile(
            "flow_people_teams",
            {"account_id": _value},
            ("tool", "display_name", "meanwhile"),
        ),
        MappingFile(
            "status_phases",
            {"status_name": _value, "status_id": _attribute("status_id")},
            ("tool", "jira_status_category", "meanwhile"),
        ),
        MappingFile(
            "azure_devops_state_phases", {"state": _value}
        ),
        MappingFile(
            "issue_type_flow_items", {"issue_type": _value}, ("tool", "detail")
        ),
    )
}

CONTEXT = {
    "tool": _attribute("tool"),
    "display_name": _attribute("display_name"),
    "jira_status_category": _attribute("jira_status_category"),
    "detail": _attribute("detail"),
    "meanwhile": _attribute("fallback"),
}


def gap_rows(spec: MappingFile, gaps: list[MappingGap]) -> list[dict[str, str | int]]:
    """The rows of one gap file: one per key (a value seen in several tools, e.g. an issue type of Jira and
    Azure Boards, is one row with their records added up), most records first."""
    rows: dict[tuple[str, ...], dict[str, str | int]] = {}
    for gap in _by_records([gap for gap in gaps if gap.mapping_file == spec.name and gap.fillable]):
        row = {column: spec.keys.get(column, lambda _: "")(gap) for column in spec.columns}
        key = tuple(row[column] for column in spec.keys)
        if key in rows:
            _merge(rows[key], gap)
            continue
        rows[key] = {**row, "records": gap.records, **{name: CONTEXT[name](gap) for name in spec.context}}
    return sorted(rows.values(), key=lambda row: (-int(row["records"]), *(str(row[c]) for c in spec.keys)))


def _merge(row: dict[str, str | int], gap: MappingGap) -> None:
    row["records"] = int(row["records"]) + gap.records
    if "tool" in row and gap.tool and gap.tool not in str(row["tool"]).split(","):
        row["tool"] = ",".join(sorted([*str(row["tool"]).split(","), gap.tool]))


@dataclass(frozen=True)
class GapFile:
    mapping_file: str
    path: Path
    rows: int
    records: int


def write_gap_files(gaps: list[MappingGap], out_dir: Path) -> list[GapFile]:
    """One CSV per mapping file with gaps, in `out_dir`; gap files left there by an earlier call for a mapping
    that has no gaps any more are removed. A file there that is not a gap file (no `records` column: a
    mapping file itself, say) is never overwritten: the call stops before writing anything."""
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {name: gap_rows(spec, gaps) for name, spec in MAPPING_FILES.items()}
    for name in contents:
        _refuse_foreign_file(out_dir / f"{name}.csv")
    written = []
    for name, rows in contents.items():
        path = out_dir / f"{name}.csv"
        if not rows:
            path.unlink(missing_ok=True)
            continue
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=MAPPING_FILES[name].header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(GapFile(name, path, len(rows), sum(int(row["records"]) for row in rows)))
    return sorted(written, key=lambda file: (-file.records, file.mapping_file))


def _refuse_foreign_file(path: Path) -> None:
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    if "records" not in header:
        raise GapsUnavailable(
            f"{path} is not a gap file (it has no `records` column; a mapping file?): it is left as it is. "
            "Write the gaps to another folder with --out."
        )


def unfillable(gaps: list[MappingGap]) -> list[MappingGap]:
    """Gaps of records that name no value at all: no mapping row covers them, the data has to."""
    return [gap for gap in gaps if not gap.fillable]


# Printing ---------------------------------------------------------------------------------------------------


def print_gap_files(files: list[GapFile], gaps: list[MappingGap], mappings_dir: str, console) -> None:
    """What `delivery mappings gaps` wrote, and what to do next."""
    from rich.table import Table

    if not files:
        console.print("No mapping gaps: every value the data shows is mapped.")
    else:
        table = Table(title=f"Mapping gaps written to {files[0].path.parent}")
        for column, justify in (("file", "left"), ("rows", "right"), ("records affected", "right")):
            table.add_column(column, justify=justify)
        for file in files:
            table.add_row(file.path.name, f"{file.rows:,}", f"{file.records:,}")
        console.print(table)
        console.print(
            "Next: in each file fill in the empty columns of the rows you decide (team, delivery_phase, "
            "flow_state, flow_item...), paste those rows into "
            f"{mappings_dir}/<file> (the columns from `records` on are ignored there), then run "
            "`delivery run` again: their records move to what you filled in.",
            soft_wrap=True,
        )
    for gap in unfillable(gaps):
        console.print(
            f"{gap.records:,} record(s) name no {KINDS.get(gap.mapping_kind, (gap.mapping_kind,))[0]} at all "
            f"({gap.detail or 'no value'}); no mapping row covers them, the exports have to.",
            soft_wrap=True,
        )
