"""What a failed dbt build says: every failing model and test by name, with its message, the first rows it
found, and what to do; and whether the failure is worth a retry.

A model's SQL error, a contract or constraint violation and a failing test are findings, not glitches: the
same build fails the same way again, so they are never retried. Only a transient error (the warehouse file
locked by another process, an I/O conflict) is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtCliRuntimeError

FAILING_STATUSES = ("error", "fail")
SHOWN_ROWS = 5
SHOWN_NODES = 10
# DuckDB's words for another process holding the file, or a write that lost a race: worth a retry.
TRANSIENT = re.compile(r"could not set lock|conflicting lock|lock on file|io error|database is locked", re.IGNORECASE)


@dataclass(frozen=True)
class FailingNode:
    unique_id: str
    kind: str  # "model", "test", "seed", ...
    name: str
    message: str
    file: str
    # For a failing test: the query listing its offending rows, and the first of them.
    query: str = ""
    first_rows: tuple[str, ...] = ()

    @property
    def transient(self) -> bool:
        return bool(TRANSIENT.search(self.message))

    def lines(self) -> list[str]:
        """The node, what went wrong, the rows, what to do: a few lines for the end of the run's output."""
        head = f"{self.kind} {self.name} ({self.file}): {_one_line(self.message)}"
        if self.kind == "test":
            rows = [f"    {row}" for row in self.first_rows] or ["    (the rows could not be read back)"]
            return [
                head,
                f"  first offending rows (at most {SHOWN_ROWS}):",
                *rows,
                f"  to do: correct the data or the model the test guards; list every row with: {self.query}",
            ]
        return [head, f"  to do: fix {self.file}, then run `delivery run` again (nothing was published)."]


def failing_nodes(target_path: Path, warehouse_path: Path) -> list[FailingNode]:
    """Every node of the invocation's run_results.json whose status is error or fail, with the first rows
    of each failing test read from the warehouse (read only)."""
    results = _artifact(target_path, "run_results.json").get("results", [])
    nodes = _artifact(target_path, "manifest.json").get("nodes", {})
    failing = [r for r in results if r.get("status") in FAILING_STATUSES]
    return [_failing_node(result, nodes.get(result["unique_id"], {}), warehouse_path) for result in failing]


def build_failure(target_path: Path, warehouse_path: Path, dbt_log: Path) -> Exception:
    """The exception the dbt step raises: a retryable one only when every failure is transient."""
    failing = failing_nodes(target_path, warehouse_path)
    log_text = dbt_log.read_text(errors="replace") if dbt_log.exists() else ""
    if (failing and all(node.transient for node in failing)) or (not failing and TRANSIENT.search(log_text)):
        return DagsterDbtCliRuntimeError(
            description=f"dbt build hit a transient error (the warehouse locked or busy); retrying. Log: {dbt_log}"
        )
    if not failing:
        return dg.Failure(
            description=f"dbt build failed before any model ran (a compilation or connection error): see {dbt_log}",
            metadata={"dbt_log": str(dbt_log)},
            allow_retries=False,
        )
    shown = failing[:SHOWN_NODES]
    more = [f"... and {len(failing) - len(shown)} more failing nodes"] if len(failing) > len(shown) else []
    lines = [line for node in shown for line in node.lines()] + more
    kinds = ", ".join(sorted({node.kind for node in failing}))
    return dg.Failure(
        description=f"dbt build: {len(failing)} failing node(s) ({kinds}); not retried, the same build would fail "
        "the same way.\n" + "\n".join(lines) + f"\ndbt log: {dbt_log}",
        metadata={
            "failed_nodes": dg.MetadataValue.json([node.unique_id for node in failing]),
            "dbt_log": str(dbt_log),
        },
        allow_retries=False,
    )


def _artifact(target_path: Path, name: str) -> dict:
    path = target_path / name
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _failing_node(result: dict, node: dict, warehouse_path: Path) -> FailingNode:
    unique_id = result["unique_id"]
    kind = unique_id.split(".")[0]
    name = node.get("name") or unique_id.split(".")[-1]
    file = node.get("original_file_path") or unique_id
    message = result.get("message") or "no message"
    if kind != "test":
        return FailingNode(unique_id, kind, name, message, file)
    compiled = result.get("compiled_code") or node.get("compiled_code") or ""
    query = _one_line(compiled) if compiled else f"dbt show --select {name}"
    return FailingNode(unique_id, kind, name, message, file, query, _first_rows(warehouse_path, compiled))


def _first_rows(warehouse_path: Path, compiled: str) -> tuple[str, ...]:
    """The first rows a test's compiled query returns, read from the warehouse it ran on."""
    if not compiled:
        return ()
    try:
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            cursor = con.execute(f"SELECT * FROM ({compiled}) AS offending LIMIT {SHOWN_ROWS}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return ()
    return tuple(", ".join(f"{c}={v}" for c, v in zip(columns, row, strict=True)) for row in rows)


def _one_line(text: str) -> str:
    return " ".join(text.split())
