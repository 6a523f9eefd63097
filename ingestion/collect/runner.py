"""Collects every configured tool, each in a thread of its own, with a live display of requests, pages,
files and rate-limit waits, and a summary line per tool. One tool's failure never stops another's."""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ingestion.collect.config import TOOL_ORDER, CollectConfig
from ingestion.collect.core import ScopeFailed, ToolRun
from ingestion.collect.http import ToolStats, make_client
from ingestion.collect.landing import remove_partials
from ingestion.collect.state import CollectState, state_path
from orchestration.lib.run_lock import exclusive_run


@dataclass(frozen=True)
class ToolSummary:
    tool: str
    status: str  # collected, failed, partly collected, not configured
    scopes: int
    stats: ToolStats

    def line(self) -> str:
        s = self.stats
        waits = f", {s.rate_limit_waits} rate-limit waits" if s.rate_limit_waits else ""
        return (f"{self.tool}: {self.status}: {self.scopes} scope(s), {s.requests} requests, {s.pages} pages, "
                f"{s.files} files written{waits}")


def tool_module(tool: str):
    return importlib.import_module(f"ingestion.collect.tools.{tool}")


def collect(config: CollectConfig, exports_dir: Path, tools: Iterable[str] = (), *,
            console: Console | None = None, now: datetime | None = None) -> list[ToolSummary]:
    """Collects the named tools (every configured one when none is named) into `exports_dir`."""
    wanted = tuple(tools) or config.configured
    exports_dir.mkdir(parents=True, exist_ok=True)
    now = now or datetime.now(UTC)
    console = console or Console(stderr=True)
    stats = {tool: ToolStats() for tool in wanted}
    with ThreadPoolExecutor(max_workers=max(len(wanted), 1), thread_name_prefix="collect") as pool:
        futures = {tool: pool.submit(_collect_tool, config, tool, exports_dir, stats[tool], now)
                   for tool in wanted}
        if console.is_terminal:
            with Live(_table(stats, futures), console=console, refresh_per_second=4) as live:
                while not all(future.done() for future in futures.values()):
                    live.update(_table(stats, futures))
                    time.sleep(0.25)
                live.update(_table(stats, futures))
        summaries = [futures[tool].result() for tool in wanted]
    for summary in summaries:
        console.print(summary.line(), markup=False, highlight=False)
        for error in summary.stats.errors:
            console.print(f"  {error}", markup=False, highlight=False)
    return summaries


def _collect_tool(config: CollectConfig, tool: str, exports_dir: Path, stats: ToolStats,
                  now: datetime) -> ToolSummary:
    path = state_path(exports_dir, tool)
    try:
        # One collection of a tool at a time (a schedule and a command line): the second waits.
        with exclusive_run(path, wait=True):
            # What a killed collection of this tool left aside; never another tool's, being written now.
            remove_partials(exports_dir / tool)
            return _collect_scopes(config, tool, exports_dir, CollectState(path), stats, now)
    except Exception as error:  # noqa: BLE001 - one tool's defect never stops the others; its state resumes
        message = f"{tool}: collection stopped by an unexpected {type(error).__name__}: {error}"
        stats.errors.append(_redacted(message, config, tool))
        return ToolSummary(tool, "failed", 0, stats)


def _redacted(message: str, config: CollectConfig, tool: str) -> str:
    """An unexpected error's text, with the tool's credentials masked should any library have quoted one."""
    tool_config = config.tools.get(tool)
    for secret in tool_config.credentials.values() if tool_config else ():
        if secret.reveal():
            message = message.replace(secret.reveal(), "***")
    return message


def _collect_scopes(config: CollectConfig, tool: str, exports_dir: Path, state: CollectState, stats: ToolStats,
                    now: datetime) -> ToolSummary:
    if tool not in config.tools:
        return ToolSummary(tool, "not configured, skipped", 0, stats)
    tool_config = config.tools[tool]
    if tool_config.missing_credentials:
        stats.errors.append(tool_config.missing_credentials)
        return ToolSummary(tool, "failed", 0, stats)
    module = tool_module(tool)
    auth, headers = module.auth(tool_config)
    client = make_client(tool_config.base_url, auth, config, stats, headers)
    run = ToolRun(config, tool_config, client, stats, state, exports_dir, now)
    try:
        scopes = module.scopes(run)
    except ScopeFailed as failure:
        stats.errors.append(str(failure))
        return ToolSummary(tool, "failed", 0, stats)
    collected = 0
    for name in scopes:
        scope = run.scope(name)
        try:
            module.collect_scope(scope)
            scope.finish()
            collected += 1
        except ScopeFailed as failure:
            scope.save()  # where it stopped, children included, for the next collection to resume from
            stats.errors.append(str(failure))
            if failure.stop_tool:
                break
    status = "collected" if collected == len(scopes) else "failed" if not collected else "partly collected"
    return ToolSummary(tool, status, collected, stats)


def _table(stats: dict[str, ToolStats], futures) -> Table:
    table = Table(title="delivery collect", title_justify="left")
    for column in ("tool", "requests", "pages", "files", "rate-limit waits", "errors", ""):
        table.add_column(column, justify="left" if column in ("tool", "") else "right")
    for tool in TOOL_ORDER:
        if tool not in stats:
            continue
        s = stats[tool]
        done = futures[tool].done()
        table.add_row(tool, str(s.requests), str(s.pages), str(s.files), str(s.rate_limit_waits),
                      str(len(s.errors)), "done" if done else "collecting…")
    return table
