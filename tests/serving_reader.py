"""A BI reader: queries the serving file in a loop, a new read-only connection per query, until told to
stop. Each answer must come from one complete snapshot: the mart counts it reads must be the counts that
snapshot's `meta.tables` recorded. Writes what it saw as JSON.

Usage: python serving_reader.py <serving.duckdb> <result.json>   (stops when <result.json>.stop exists)
"""

import json
import sys
import time
from pathlib import Path

import duckdb

MARTS = ("marts.fct_deployments", "marts.fct_incidents", "marts.mart_dora__weekly", "marts.mart_flow__weekly")


def ask(serving: Path) -> tuple[str, dict[str, int], dict[str, int]]:
    with duckdb.connect(str(serving), read_only=True) as con:
        snapshot = con.execute("SELECT snapshot_id FROM meta.snapshot").fetchone()[0]
        recorded = dict(con.execute("SELECT table_name, row_count FROM meta.tables").fetchall())
        counted = {mart: con.execute(f"SELECT count(*) FROM {mart}").fetchone()[0] for mart in MARTS}
    return snapshot, {mart: recorded.get(mart) for mart in MARTS}, counted


def main(serving: Path, result: Path) -> None:
    stop = result.with_name(result.name + ".stop")
    queries, failed, inconsistent, seen = 0, [], [], set()
    while not stop.exists():
        queries += 1
        try:
            snapshot, recorded, counted = ask(serving)
        except duckdb.Error as error:
            failed.append(str(error))
            continue
        seen.add(snapshot)
        if recorded != counted:
            inconsistent.append({"snapshot": snapshot, "recorded": recorded, "counted": counted})
        time.sleep(0.05)
    result.write_text(json.dumps({
        "queries": queries, "failed_queries": failed, "inconsistent_answers": inconsistent,
        "snapshots_seen": sorted(seen),
    }))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
