"""Data quality reaches the serving file: a file the loader rejected is in the published quarantine mart with
its reason, and each tool's newest load is in `meta.freshness`. Real load, real dbt build, real publish."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingestion.pipelines import load_all
from orchestration.lib.serving import publish
from tests.conftest import query, write_json
from tests.ingestion.test_bad_input import REPO, _pull
from tests.models.dbt_runner import dbt_build


def test_a_rejected_file_is_published_in_the_quarantine_mart_with_its_reason(tmp_path: Path):
    exports, warehouse = tmp_path / "exports", tmp_path / "delivery.duckdb"
    serving = tmp_path / "serving.duckdb"
    pulls = exports / REPO / "pulls"
    write_json(pulls / "page-0001.json", [_pull(1, 1), _pull(2, 2)])
    (pulls / "page-0002.json").write_text('[{"id": 3, "number": ')  # cut short: not JSON

    load_all(exports, warehouse)
    dbt_build(tmp_path, warehouse, "+mart_data_quality__quarantine")
    publish(warehouse, serving, "quality")

    published = query(
        serving,
        """select source_tool, entity, source_file, record_index, is_whole_file, reason
           from marts.mart_data_quality__quarantine""",
    )
    # one row: the whole second page (record_index -1), for the pull requests of GitHub
    page = f"{REPO}/pulls/page-0002.json"
    assert [row[:5] for row in published] == [("github", "pull_requests", page, -1, True)]
    assert published[0][5].startswith("not valid JSON")
    # the load that reported it is the one load of this warehouse
    (load_id,) = query(warehouse, "select load_id from raw_github._dlt_loads")[0]
    assert query(serving, "select _dlt_load_id from marts.mart_data_quality__quarantine") == [(load_id,)]

    freshness = {
        tool: (newest, rows)
        for tool, newest, rows in query(serving, "select source_tool, newest_load_at, raw_row_count from meta.freshness")
    }
    # GitHub's newest load is that load (its id is its start, in epoch seconds); its raw rows: the two pull
    # requests of the first page. Jira loaded nothing: no newest load.
    newest, rows = freshness["github"]
    assert newest == datetime.fromtimestamp(float(load_id), UTC)
    assert rows == 2
    assert freshness["jira"] == (None, 0)
    # published outside Dagster: the run tables are there, empty
    assert query(serving, "select count(*) from meta.runs") == [(0,)]
    assert query(serving, "select count(*) from meta.checks") == [(0,)]
