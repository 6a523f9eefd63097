"""Dagster definitions grouped by system; `orchestration/definitions.py` wires them into one graph."""
