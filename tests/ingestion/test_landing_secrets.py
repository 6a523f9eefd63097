"""Secrets in the landing folder never reach BI: a link out of the landing folder is not read, and the raw
excerpt of a rejected file stays in the working warehouse, out of the serving file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.pipelines import load_all
from orchestration.lib.serving import publish
from tests.conftest import query, write_json
from tests.ingestion.test_bad_input import REPO, _pull
from tests.models.dbt_runner import dbt_build

LINKED_TOKEN = "API_TOKEN=linked-4f1c9e"
PLAIN_TOKEN = "API_TOKEN=abc"


def _landing_with_secrets(tmp_path: Path) -> Path:
    exports, outside = tmp_path / "exports", tmp_path / "x"
    outside.mkdir()
    (outside / ".env").write_text(f"{LINKED_TOKEN}\n")
    pulls = exports / REPO / "pulls"
    write_json(pulls / "page-0001.json", [_pull(1, 1)])
    (pulls / "secrets.json").symlink_to(outside / ".env")
    (pulls / "page-0002.json").write_text(f"{PLAIN_TOKEN}\n")  # not JSON: a .env saved under a page's name
    return exports


def _tables_holding(database: Path, text: str) -> list[str]:
    """Every table of the file whose rows, as text, contain `text` (each row cast whole to VARCHAR)."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        return [
            f"{schema}.{table}"
            for schema, table in tables
            if con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" AS r WHERE contains(r::VARCHAR, ?)', [text]
            ).fetchone()[0]
        ]


def test_a_link_out_of_the_landing_folder_is_reported_unread_and_no_token_reaches_the_serving_file(
    tmp_path: Path,
):
    exports, warehouse, serving = (
        _landing_with_secrets(tmp_path),
        tmp_path / "delivery.duckdb",
        tmp_path / "s.duckdb",
    )

    load_all(exports, warehouse)

    assert query(warehouse, "SELECT number FROM raw_github.pull_requests") == [(1,)]
    rows = query(
        warehouse,
        "SELECT source_file, record_index, reason, record_excerpt FROM raw_github.quarantine ORDER BY source_file",
    )
    assert [row[:2] for row in rows] == [
        (f"{REPO}/pulls/page-0002.json", -1),
        (f"{REPO}/pulls/secrets.json", -1),
    ]
    # The non-JSON file is kept for the data engineer, its path relative to the landing folder.
    assert rows[0][2].startswith(
        f'not valid JSON (Invalid Input Error: Malformed JSON in file "{REPO}/pulls/page-0002.json"'
    )
    assert rows[0][3] == f"{PLAIN_TOKEN}\n"
    assert str(tmp_path) not in rows[0][2]
    # The link is reported, never read: its target's content is nowhere, not even in the working warehouse.
    assert rows[1][2].startswith(
        "a symbolic link to a file outside the landing folder: not followed: expected"
    )
    assert rows[1][3] is None
    assert _tables_holding(warehouse, "linked-4f1c9e") == []
    # dlt's merge scratch copy of the raw table holds it too: neither is ever published.
    assert sorted(_tables_holding(warehouse, PLAIN_TOKEN)) == [
        "_dlt_merge_raw_github.quarantine",
        "raw_github.quarantine",
    ]

    dbt_build(tmp_path, warehouse, "stg_ingestion__quarantine")
    publish(warehouse, serving, "secrets")

    published = query(
        serving,
        "SELECT source_file, reason IS NOT NULL, record_excerpt FROM staging.stg_ingestion__quarantine ORDER BY 1",
    )
    assert published == [
        (f"{REPO}/pulls/page-0002.json", True, None),
        (f"{REPO}/pulls/secrets.json", True, None),
    ]
    assert _tables_holding(serving, "API_TOKEN") == []
