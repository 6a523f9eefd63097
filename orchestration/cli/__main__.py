"""`python -m orchestration.cli`: the `delivery` command without its installed script."""

from orchestration.cli.commands import app

app()
