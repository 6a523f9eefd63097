"""`delivery demo` on real folders: it writes the demo and its marker, leaves an unchanged demo as it is,
and refuses a folder holding files it did not write unless --force."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ingestion.landing_marker import MARKER_NAME, holds_only_demo_data
from orchestration.cli import app

SIZE = "0.05"  # the smallest demo that still has every tool's folders: a second or two


def _demo(out: Path, *options: str):
    return CliRunner().invoke(app, ["demo", "--out", str(out), "--size", SIZE, "--seed", "7", *options],
                              env={"COLUMNS": "300"})


def _files(folder: Path) -> dict[str, int]:
    """Every file but the marker, with its modification time."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and p.name != MARKER_NAME}


def test_the_demo_writes_its_marker_and_leaves_an_unchanged_demo_alone(tmp_path: Path):
    out = tmp_path / "exports"
    first = _demo(out)
    assert first.exit_code == 0, first.output
    marker = json.loads((out / MARKER_NAME).read_text())
    written = _files(out)
    # The marker lists every file the demo wrote, with the size it wrote: nothing more, nothing less.
    assert (marker["size"], marker["seed"]) == (SIZE, 7)
    assert set(marker["files"]) == set(written) and len(written) > 50
    assert all(size == (out / name).stat().st_size for name, (size, _) in marker["files"].items())
    assert holds_only_demo_data(out)
    # the files and the records they hold, counted apart (the marker's file count, by hand above)
    said = " ".join(first.output.split())
    assert f": {len(written):,} files holding " in said and said.rstrip().endswith(" records.")

    again = _demo(out)
    assert again.exit_code == 0, again.output
    assert "unchanged: nothing rewritten" in again.output
    assert _files(out) == written  # same files, same modification times: the next load reads nothing


def test_the_demo_refuses_a_folder_with_other_files_unless_forced(tmp_path: Path):
    out = tmp_path / "exports"
    (out / "jira" / "issues").mkdir(parents=True)
    theirs = {"jira/issues/page-0001.json": '{"issues": []}', "notes.txt": "an organisation's own file"}
    for name, body in theirs.items():
        (out / name).write_text(body)

    refused = _demo(out)
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert f"{out} holds 2 file(s) the demo did not write (notes.txt, jira/issues/page-0001.json)" in said
    assert "--force" in said
    assert {name: (out / name).read_text() for name in theirs} == theirs  # nothing touched
    assert sorted(_files(out)) == sorted(theirs) and not (out / MARKER_NAME).exists()

    forced = _demo(out, "--force")
    assert forced.exit_code == 0, forced.output
    # The demo replaced its own folders (jira/ among them); the file outside them stays, and is not the
    # demo's: the folder no longer holds demo data only, so a snapshot built from it is not marked demo.
    assert (out / "notes.txt").read_text() == theirs["notes.txt"]
    assert not (out / "jira" / "issues" / "page-0001.json").read_text().startswith('{"issues": []}')
    assert "notes.txt" not in json.loads((out / MARKER_NAME).read_text())["files"]
    assert not holds_only_demo_data(out)


def test_a_demo_of_another_size_replaces_the_demo_without_force(tmp_path: Path):
    out = tmp_path / "exports"
    assert _demo(out).exit_code == 0
    bigger = CliRunner().invoke(app, ["demo", "--out", str(out), "--size", "0.1"])
    assert bigger.exit_code == 0, bigger.output
    assert json.loads((out / MARKER_NAME).read_text())["size"] == "0.1"
    assert holds_only_demo_data(out)


def test_an_unknown_size_is_a_clear_error_without_a_traceback(tmp_path: Path):
    out = tmp_path / "exports"
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--size", "X"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "Demo not written: size must be S, M, L or a positive number, not 'X' (--size)." in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not out.exists()
