"""`delivery ui` started in the background stops on SIGTERM, with every service it started, whenever the
signal comes. A shell starts a background job with SIGINT ignored, and `dagster dev` gives SIGTERM the handler
SIGINT has; a SIGTERM that lands while `dagster dev` is still starting its services could leave it waiting
on them for good. `delivery ui` runs it in a session of its own and ends that session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.limits import HANG_SECONDS

SIGTERM_BIT = 1 << (signal.SIGTERM - 1)
# What a shell does to start `delivery ui &`: SIGINT ignored, then exec (the same process id).
BACKGROUND_JOB = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads processes from /proc")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _catches_sigterm(pid: int) -> bool:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return bool(int(fields["SigCgt"], 16) & SIGTERM_BIT)


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _processes_with(environment_entry: str) -> list[int]:
    """The live processes whose environment holds `environment_entry`: the UI and everything it started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if environment_entry.encode() in environment and "zombie" not in state:
            found.append(int(entry.name))
    return found


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + HANG_SECONDS
    while not condition():
        assert process.poll() is None, f"the UI ended (exit code {process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} within {HANG_SECONDS} s"
        time.sleep(0.1)


@contextmanager
def _background_ui(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, str]]:
    dagster_home = tmp_path / "dagster"
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    command = [sys.executable, "-m", "orchestration.cli", "ui", "--port", str(port)]
    ui = subprocess.Popen(
        [sys.executable, "-c", BACKGROUND_JOB, *command],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[2],
    )
    marker = f"DAGSTER_HOME={dagster_home}"
    try:
        yield ui, port, marker
    finally:
        for pid in [ui.pid, *_processes_with(marker)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        ui.wait()


def _dagster_dev_catches_sigterm(ui: subprocess.Popen) -> bool:
    return any(_catches_sigterm(child) for child in _children(ui.pid))


def _serves(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop_and_expect_nothing_left(ui: subprocess.Popen, marker: str) -> None:
    ui.send_signal(signal.SIGTERM)
    assert ui.wait(timeout=HANG_SECONDS) == 0
    assert _processes_with(marker) == []


def test_a_background_ui_stopped_while_it_starts_ends_with_everything_it_started(tmp_path: Path) -> None:
    with _background_ui(tmp_path) as (ui, _port, marker):
        # The moment `dagster dev` turns SIGTERM into an interrupt, long before its services are up.
        _wait_for(lambda: _children(ui.pid) and _dagster_dev_catches_sigterm(ui), ui, "dagster dev's handler")
        _stop_and_expect_nothing_left(ui, marker)


def test_a_background_ui_that_serves_stops_on_sigterm_with_everything_it_started(tmp_path: Path) -> None:
    with _background_ui(tmp_path) as (ui, port, marker):
        _wait_for(lambda: _serves(port), ui, "the UI answering on its port")
        assert len(_processes_with(marker)) >= 3  # this command, dagster dev, its webserver and daemon
        _stop_and_expect_nothing_left(ui, marker)
