"""The run's summary and `delivery status` count the quarantine the same way: the files of the landing folder
with rejected content (whole, or some of their records). A file deleted from the landing folder keeps its
entries in the ledger, but is no longer counted as one to fix, by either."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console

from ingestion.pipelines import load_tool
from orchestration.cli.status import QUARANTINE_MODEL, _print_quarantine
from orchestration.cli.summary import print_summary, summarise
from orchestration.lib.settings import Settings
from tests.conftest import write_json

PULLS = "github/acme/shop/pulls"


def _pull(pull_id: int | None, number: int) -> dict:
    return {"id": pull_id, "number": number, "state": "open", "title": f"SHOP-{number}",
            "user": {"login": "ana", "type": "User"}, "created_at": "2026-03-02T10:00:00Z",
            "updated_at": "2026-03-03T10:00:00Z", "head": {"ref": "f", "sha": "a" * 40},
            "base": {"ref": "main", "repo": {"full_name": "acme/shop"}}, "labels": []}


def _published_quarantine(warehouse: Path, serving: Path) -> None:
    """The published model's rows (what status reads of it), as the build makes them from the raw ledger."""
    serving.unlink(missing_ok=True)
    with duckdb.connect(str(serving)) as con:
        con.execute(f"ATTACH '{warehouse}' AS w (READ_ONLY)")
        con.execute("CREATE SCHEMA staging")
        con.execute(f"CREATE TABLE {QUARANTINE_MODEL} AS SELECT 'github' AS source_tool, source_file, "
                    "record_index, reason FROM w.raw_github.quarantine")


def _lines(tmp_path: Path, exports: Path, warehouse: Path) -> tuple[str, str]:
    summary = Console(record=True, width=300)
    print_summary(summarise(warehouse, exports), summary)
    serving = tmp_path / "serving.duckdb"
    _published_quarantine(warehouse, serving)
    status = Console(record=True, width=300)
    settings = Settings(config_dir=tmp_path, exports_dir=exports, warehouse_path=warehouse, serving_path=serving,
                        dagster_home=tmp_path, demo_size="S", demo_seed=7, files_per_batch=50)
    _print_quarantine(settings, status)
    [summary_line] = [line for line in summary.export_text().splitlines() if line.startswith("Quarantined:")]
    return summary_line, status.export_text().splitlines()[0]


def test_summary_and_status_agree_and_a_deleted_file_is_no_longer_counted(tmp_path: Path) -> None:
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    write_json(exports / PULLS / "page-0001.json", [_pull(1, 1), _pull(None, 2), _pull(None, 3)])
    (exports / PULLS / "page-0002.json").write_text("<html>rate limited</html>")
    (exports / PULLS / "folder.json").mkdir()  # still there, though not a file
    load_tool("github", exports, warehouse)

    # By hand: page-0002 and folder.json are rejected whole; records 1 and 2 of page-0001 have no id.
    expected = "Quarantined: 3 file(s): 2 rejected whole, 2 record(s) rejected in 1 other(s)."
    summary, status = _lines(tmp_path, exports, warehouse)
    assert summary.startswith(expected) and status.startswith(expected), (summary, status)

    (exports / PULLS / "page-0002.json").unlink()
    load_tool("github", exports, warehouse)

    expected = ("Quarantined: 2 file(s): 1 rejected whole, 2 record(s) rejected in 1 other(s); 1 more no longer "
                "in the landing folder (kept in the ledger, not counted).")
    summary, status = _lines(tmp_path, exports, warehouse)
    assert summary.startswith(expected) and status.startswith(expected), (summary, status)
