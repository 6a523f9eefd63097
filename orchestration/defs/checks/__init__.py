"""Checks: Great Expectations suites on the raw tables, freshness, and the marts' row counts."""
