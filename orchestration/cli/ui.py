"""`delivery ui`: Dagster's UI (`dagster dev`) under a small supervisor that always stops it.

`dagster dev` turns SIGTERM into a KeyboardInterrupt wherever its main thread happens to be. One that lands
while it is still starting its services can leave it waiting on them for good, and a UI left behind holds
the Dagster instance and its port. So `dagster dev` and every service it starts run in a session of their
own: a stop (SIGTERM, or Ctrl-C) asks `dagster dev` to shut down as it would, gives it a grace period, and
then ends whatever of that session is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence

# `dagster dev` waits up to 60 s for each of its services to stop; a normal shutdown takes a few seconds.
SHUTDOWN_GRACE_SECONDS = 90


def run_until_stopped(command: Sequence[str], grace_seconds: float = SHUTDOWN_GRACE_SECONDS) -> int:
    """Run `command` in its own session until it ends or this process is asked to stop. Its exit code, or
    0 when it was stopped on request."""
    stop_requested = _stop_on_signals()
    # A new session: Ctrl-C in the terminal reaches this process alone, which passes it on once, as SIGTERM.
    # The handlers are this process's; the command starts with the default ones, whatever was inherited.
    service = subprocess.Popen(list(command), start_new_session=True)
    try:
        while not _has_ended(service) and not stop_requested.wait(0.5):
            pass
        if not _has_ended(service):
            os.kill(service.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace_seconds
            while not _has_ended(service) and time.monotonic() < deadline:
                time.sleep(0.5)
    finally:
        _end_session(service)
    return 0 if stop_requested.is_set() else service.returncode


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, which then stop nothing else in this process. SIGINT too: a shell
    starts a background job (`delivery ui &`) with SIGINT ignored, and Ctrl-C must still stop a foreground one."""
    stop_requested = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop_requested


def _has_ended(service: subprocess.Popen) -> bool:
    """Whether the command has ended, without reaping it: until it is reaped, its process id, which also names
    its session's process group, can be given to no other process, so the group kill below reaches only what
    the command started. (Popen's own poll and wait reap it.)"""
    return os.waitid(os.P_PID, service.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _end_session(service: subprocess.Popen) -> None:
    """Kill what is left of the command's session (its webserver, daemon and code servers), then reap the
    command: killed first, while its process id still names the group."""
    try:
        os.killpg(service.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    service.wait()
