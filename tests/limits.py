"""Time limits of the tests: a limit only stops a hung process, never a slow one. CI runs on shared, busy
machines; speed is measured in bench/, not asserted here."""

# Any subprocess (a `delivery run`, a dbt build) or wait in a test: an hour is a hang on any machine.
HANG_SECONDS = 3600
