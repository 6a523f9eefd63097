"""`delivery ui` started in the background stops on SIGTERM. A shell starts a background job with SIGINT
ignored; `dagster dev` gives SIGTERM the handler SIGINT has, so without care it ignored SIGTERM too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.limits import HANG_SECONDS

SIGTERM_BIT = 1 << (signal.SIGTERM - 1)
# What a shell does to start `delivery ui &`: SIGINT ignored, then exec (the same process id).
BACKGROUND_JOB = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sigterm_disposition(pid: int) -> str | None:
    """'caught' or 'ignored' once the process has set a disposition for SIGTERM (Linux /proc), else None."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    if int(fields["SigCgt"], 16) & SIGTERM_BIT:
        return "caught"
    if int(fields["SigIgn"], 16) & SIGTERM_BIT:
        return "ignored"
    return None


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal dispositions from /proc")
def test_a_background_ui_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster")}
    command = [sys.executable, "-m", "orchestration.cli", "ui", "--port", str(_free_port())]
    ui = subprocess.Popen(
        [sys.executable, "-c", BACKGROUND_JOB, *command],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[2],
    )
    try:
        deadline = time.monotonic() + HANG_SECONDS
        disposition = None
        # Until dagster dev has set its handler: before it, the process may still hold what it inherited
        # (a test worker may ignore SIGTERM; `delivery ui` puts it back to the default before the exec).
        while disposition != "caught" and ui.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
            disposition = _sigterm_disposition(ui.pid)
        assert disposition == "caught", f"SIGTERM is {disposition} by dagster dev (exit code {ui.poll()})"

        ui.send_signal(signal.SIGTERM)

        assert ui.wait(timeout=HANG_SECONDS) is not None
    finally:
        if ui.poll() is None:
            ui.kill()
            ui.wait()
