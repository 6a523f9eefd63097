"""The `delivery` command line: its commands (`commands.py`) and what they print: the run's progress and
summary, `status`, `explain`, the HTML report."""

from orchestration.cli.commands import app

__all__ = ["app"]
