"""The landing folder's listing: what it yields, in which order, named as dlt's own listing names files."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from dlt.sources.filesystem import filesystem

from ingestion.listing import list_files, pages
from tests.conftest import write_json


def _landing(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    for repo, page, mtime in (
        ("shop", "page-0002", 1_700_000_200),
        ("shop", "page-0001", 1_700_000_100),
        ("api", "page-0001", 1_700_000_300),
    ):
        os.utime(write_json(exports / f"github/acme/{repo}/pulls/{page}.json", []), (mtime, mtime))
    write_json(exports / "github/acme/shop/pulls/notes.txt", {})  # does not match the glob
    (exports / "github/acme/shop/pulls/folder.json").mkdir()  # matches the glob, is not a file
    return exports


def test_the_listing_yields_matching_files_sorted_by_path_with_their_time_and_size(tmp_path: Path):
    exports = _landing(tmp_path)

    listed = list(list_files(exports, "github/*/*/pulls/*.json"))
    files = [f for f in listed if f["not_read_because"] is None]

    assert [(f["relative_path"], f["content_modified_at"], f["size_in_bytes"]) for f in files] == [
        ("github/acme/api/pulls/page-0001.json", datetime(2023, 11, 14, 22, 18, 20, tzinfo=UTC), 2),
        ("github/acme/shop/pulls/page-0001.json", datetime(2023, 11, 14, 22, 15, tzinfo=UTC), 2),
        ("github/acme/shop/pulls/page-0002.json", datetime(2023, 11, 14, 22, 16, 40, tzinfo=UTC), 2),
    ]
    # The cursor is when the file last changed in the landing folder: setting an old modification time
    # changed its inode just now.
    for f in files:
        ctime = (exports / f["relative_path"]).stat().st_ctime
        assert f["modification_date"] == datetime.fromtimestamp(ctime, UTC) > f["content_modified_at"]
    assert files[0]["file_url"] == (exports.resolve() / "github/acme/api/pulls/page-0001.json").as_uri()
    # The directory matches the glob: it is listed, to be quarantined unread.
    assert [(f["relative_path"], f["not_read_because"]) for f in listed if f not in files] == [
        ("github/acme/shop/pulls/folder.json", "a directory, not a file")
    ]


def test_the_listing_names_files_as_dlts_filesystem_listing_does(tmp_path: Path):
    """Same `file_url` and modification times as dlt's own listing (its name for the cursor, too), so
    that cursor state written by it stays valid: the cursor is never earlier than a file's modification
    time, so no file it read is missed, and only a file changed since is read again."""
    exports = _landing(tmp_path)
    pattern = "github/*/*/pulls/*.json"

    listed_by_dlt = [
        {key: item[key] for key in ("file_url", "relative_path", "modification_date", "size_in_bytes")}
        for item in filesystem(bucket_url=exports.resolve().as_uri(), file_glob=pattern)
    ]
    ours = [
        {**{key: f[key] for key in listed_by_dlt[0]}, "modification_date": f["content_modified_at"]}
        for f in list_files(exports, pattern)
        if not f["not_read_because"]
    ]

    assert sorted(listed_by_dlt, key=lambda f: f["file_url"]) == ours


def test_pages_hold_at_most_the_page_size():
    assert [len(page) for page in pages(iter(range(12)), 5)] == [5, 5, 2]
    assert list(pages(iter([]), 5)) == []


def test_file_urls_quote_unusual_names_as_pathlib_does(tmp_path: Path):
    """The listing quotes paths itself (it is faster than a `Path` per file); a name with spaces, accents
    or URL delimiters must still get the URL that earlier loads recorded in dlt's state."""
    exports = tmp_path / "landing zone" / "exports"
    names = ("page 1.json", "müller-ñ.json", "50%#?.json", "plain.json")
    for name in names:
        write_json(exports / "jira" / "team a" / name, [])

    files = list(list_files(exports, "jira/**/*.json"))

    assert [f["file_name"] for f in files] == sorted(names)
    for file in files:
        path = exports.resolve() / file["relative_path"]
        assert file["file_url"] == path.as_uri()
        assert file["file_name"] == path.name


def test_links_are_judged_by_their_target_without_opening_it(tmp_path: Path):
    exports, outside = tmp_path / "exports", tmp_path / "outside"
    write_json(outside / "secret.json", [])
    write_json(outside / "folder/page.json", [])
    pulls = exports / "github/acme/shop/pulls"
    write_json(pulls / "page-0001.json", [])
    (pulls / "inside.json").symlink_to(pulls / "page-0001.json")  # listed under its own path too
    write_json(exports / "archive/page-0002.data", [])
    (pulls / "page-0002.json").symlink_to(exports / "archive/page-0002.data")  # inside, listed only here
    (pulls / "secret.json").symlink_to(outside / "secret.json")
    (pulls / "dangling.json").symlink_to(pulls / "missing.json")
    (exports / "github/acme/linked").symlink_to(outside / "folder", target_is_directory=True)

    files = list(list_files(exports, "github/**/*.json"))

    assert [(f["relative_path"], f["not_read_because"]) for f in files] == [
        (
            "github/acme/linked/page.json",
            "under a symbolic link to a folder outside the landing folder: not followed",
        ),
        ("github/acme/shop/pulls/dangling.json", "a symbolic link to a file that does not exist"),
        (
            "github/acme/shop/pulls/inside.json",
            "a link to github/acme/shop/pulls/page-0001.json, which is read under its own path",
        ),
        ("github/acme/shop/pulls/page-0001.json", None),
        ("github/acme/shop/pulls/page-0002.json", None),
        (
            "github/acme/shop/pulls/secret.json",
            "a symbolic link to a file outside the landing folder: not followed",
        ),
    ]


def test_a_link_loop_lists_each_file_once_to_read(tmp_path: Path):
    """`up -> ..` inside a Jenkins job: `**` follows it about forty times, and each turn would be read as
    another job (`job/up/job`) holding the same builds."""
    exports = tmp_path / "exports"
    job = exports / "jenkins/ci.example.com/deploy"
    write_json(job / "builds.json", {"builds": []})
    (job / "up").symlink_to("..", target_is_directory=True)

    files = list(list_files(exports, "jenkins/**/builds*.json"))

    assert [f["relative_path"] for f in files if f["not_read_because"] is None] == [
        "jenkins/ci.example.com/deploy/builds.json"
    ]
    assert {f["not_read_because"] for f in files if f["not_read_because"]} == {
        "a link to jenkins/ci.example.com/deploy/builds.json, which is read under its own path"
    }
