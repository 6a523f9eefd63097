"""Files that are not export pages (directories, pipes, links, oversized or undecodable files, files that
vanish) are quarantined with a reason, unread where reading could hang or leave the landing folder; the
batch around them loads."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingestion import github
from ingestion.pipelines import load_tool
from ingestion.reader import ExportFile, read_batch
from tests.conftest import query, write_json
from tests.ingestion.test_bad_input import REPO, _pull

PULLS_BODY = "expected a JSON array of pull requests (GET /repos/{owner}/{repo}/pulls?state=all)"


def _hostile_landing(tmp_path: Path) -> Path:
    exports, outside = tmp_path / "exports", tmp_path / "outside"
    write_json(outside / "pulls/page-0009.json", [_pull(9, 9)])
    pulls = exports / REPO / "pulls"
    write_json(pulls / "page-0001.json", [_pull(1, 1)])
    write_json(pulls / "page-0002.json", [_pull(2, 2)])
    (pulls / "page-0003.json").symlink_to(pulls / "page-0002.json")  # page-0002 is read, not twice
    write_json(exports / "archive/pulls-3.data", [_pull(3, 3)])
    (pulls / "page-0004.json").symlink_to(exports / "archive/pulls-3.data")  # stays inside: read
    (pulls / "dangling.json").symlink_to(pulls / "gone.json")
    (pulls / "folder.json").mkdir()
    os.mkfifo(pulls / "pipe.json")  # opening it would wait for a writer forever
    (pulls / "latin1.json").write_bytes(b'[{"id": 4, "number": 4, "title": "Caf\xe9"}]')
    (pulls / "huge.json").write_text("[" + " " * 5000 + "]")  # one line, over the (lowered) size limit
    (exports / "github/acme/linked/pulls").parent.mkdir(parents=True)
    (exports / "github/acme/linked/pulls").symlink_to(outside / "pulls", target_is_directory=True)
    return exports


def test_hostile_files_are_quarantined_with_a_reason_and_the_good_ones_load(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("ingestion.reader.MAX_BODY_BYTES", 4096)
    exports, warehouse = _hostile_landing(tmp_path), tmp_path / "w.duckdb"

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number, _source_file FROM raw_github.pull_requests ORDER BY 1") == [
        (1, f"{REPO}/pulls/page-0001.json"),
        (2, f"{REPO}/pulls/page-0002.json"),
        (3, f"{REPO}/pulls/page-0004.json"),
    ]
    rows = query(
        warehouse,
        "SELECT source_file, record_index, reason, record_excerpt FROM raw_github.quarantine ORDER BY 1",
    )
    reasons = {source_file.removeprefix("github/acme/"): reason for source_file, _, reason, _ in rows}
    assert {
        k: v.removesuffix(f": {PULLS_BODY}") for k, v in reasons.items() if k != "shop/pulls/latin1.json"
    } == {
        "linked/pulls/page-0009.json": "under a symbolic link to a folder outside the landing folder: not followed",
        "shop/pulls/dangling.json": "a symbolic link to a file that does not exist",
        "shop/pulls/folder.json": "a directory, not a file",
        "shop/pulls/pipe.json": "not a regular file (a pipe, socket or device): not read",
        "shop/pulls/huge.json": "5002 bytes, more than the 4096 an export page may have: not read",
        "shop/pulls/page-0003.json": f"a link to {REPO}/pulls/page-0002.json, which is read under its own path",
    }
    assert reasons["shop/pulls/latin1.json"].startswith(
        f'not valid JSON (Invalid Input Error: Malformed JSON in file "{REPO}/pulls/latin1.json", at byte 38'
    )
    assert "invalid UTF-8" in reasons["shop/pulls/latin1.json"]
    # Nothing unread has an excerpt; every row is a whole file, named relative to the landing folder.
    excerpts = {source_file.rpartition("/")[2]: excerpt for source_file, _, _, excerpt in rows}
    assert {name for name, excerpt in excerpts.items() if excerpt is not None} == {"latin1.json"}
    assert excerpts["latin1.json"] == '[{"id": 4, "number": 4, "title": "Caf\ufffd"}]'
    assert {record_index for _, record_index, _, _ in rows} == {-1}
    assert all(not source_file.startswith("/") for source_file, *_ in rows)


def test_a_file_gone_between_listing_and_reading_is_quarantined_and_its_batch_loads(tmp_path: Path):
    pulls = tmp_path / "exports" / REPO / "pulls"
    listed = datetime(2026, 3, 3, tzinfo=UTC)
    files = [
        ExportFile(write_json(pulls / name, [_pull(number, number)]), f"{REPO}/pulls/{name}", listed)
        for number, name in ((1, "page-0001.json"), (2, "page-0002.json"))
    ]
    files[1].path.unlink()  # listed, then removed before the reader opened it

    result = read_batch(github.FOLDERS[0], files)

    assert result.tables["pull_requests"].column("number").to_pylist() == [1]
    assert result.quarantine.select(
        ["source_file", "record_index", "reason", "record_excerpt"]
    ).to_pylist() == [
        {
            "source_file": f"{REPO}/pulls/page-0002.json",
            "record_index": -1,
            "reason": f"could not be read (No such file or directory): {PULLS_BODY}",
            "record_excerpt": None,
        }
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_unreadable_file_is_quarantined_and_its_batch_loads(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    write_json(exports / REPO / "pulls/page-0001.json", [_pull(1, 1)])
    locked = write_json(exports / REPO / "pulls/page-0002.json", [_pull(2, 2)])
    locked.chmod(0)

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number FROM raw_github.pull_requests") == [(1,)]
    assert query(warehouse, "SELECT source_file, reason FROM raw_github.quarantine") == [
        (f"{REPO}/pulls/page-0002.json", f"could not be read (Permission denied): {PULLS_BODY}")
    ]


def test_file_names_with_glob_characters_are_read_as_themselves(tmp_path: Path):
    """DuckDB globs the paths it reads: unescaped, `page[1].json` read `page1.json` and `*.json` read every
    page of the folder, so the good pages held two documents each and were quarantined."""
    exports, warehouse = tmp_path / "exports", tmp_path / "w.duckdb"
    pulls = exports / REPO / "pulls"
    write_json(pulls / "page1.json", [_pull(1, 1)])
    write_json(pulls / "page[1].json", [_pull(2, 2)])
    write_json(pulls / "*.json", [_pull(3, 3)])
    write_json(pulls / "page?.json", [_pull(4, 4)])

    load_tool("github", exports, warehouse)

    assert query(warehouse, "SELECT number, _source_file FROM raw_github.pull_requests ORDER BY 1") == [
        (1, f"{REPO}/pulls/page1.json"),
        (2, f"{REPO}/pulls/page[1].json"),
        (3, f"{REPO}/pulls/*.json"),
        (4, f"{REPO}/pulls/page?.json"),
    ]
    assert query(warehouse, "SELECT count(*) FROM raw_github.quarantine") == [(0,)]
