"""The Dagster pool every step that writes the DuckDB warehouse joins.

DuckDB takes one writer per file: the instance's `dagster.yaml` (written by `delivery`) limits each pool to
one slot, so the loads, the dbt build, the checks and the publish never write the warehouse at once.
"""

DUCKDB_POOL = "duckdb"
