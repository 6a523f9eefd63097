"""Dagster definitions, the command line, and the run summary of Delivery Warehouse."""
