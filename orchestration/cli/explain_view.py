"""A readable rendering of `delivery explain`: the cell, how it adds up, then one short block per member row."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from orchestration.cli.explain import Explanation


def render_table(explanation: Explanation, console: Console) -> None:
    cell = explanation.cell
    console.print(
        f"[bold]{cell.metric}[/bold] of {_whose(cell)}, "
        f"{cell.period} of {cell.period_start}: [bold]{_shown(explanation.cell_value)}[/bold] "
        f"(marts.{explanation.mart})"
    )
    counts = ", ".join(f"{n} {role}" for role, n in explanation.counts_by_role().items()) or "no rows"
    console.print(f"It is {escape(explanation.how_it_adds_up)}. Rows: {counts}.\n")
    # One block per row rather than a wide table: file paths and load ids stay readable at any width.
    for number, member in enumerate(explanation.members, start=1):
        console.print(_member_block(number, member), highlight=False, soft_wrap=True)


def _whose(cell) -> str:
    """`team payments`, `value stream Checkout`; the organisation's key is its grain's name: said once."""
    if cell.grain == "organisation":
        return "the organisation"
    return f"{cell.grain.replace('_', ' ')} [bold]{escape(cell.grain_key)}[/bold]"


def _member_block(number: int, member: dict) -> str:
    hours = "" if member["value_hours"] is None else f", {_shown(member['value_hours'])} h"
    return (
        f"{number:>4}. [bold]{member['role']}[/bold]  {escape(member['fact_model'])} "
        f"{escape(member['fact_key'])}  counts at {_shown(member['event_at'])}{hours}\n"
        f"      rule:   {escape(member['classification'])}\n"
        f"      record: {member['source_tool']} {escape(member['source_record_id'])} in "
        f"{escape(member['source_file'])} #{_shown(member['record_index'])}\n"
        f"      load:   {member['dlt_load_id']} (loaded {_shown(member['loaded_at'])})"
    )


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)
