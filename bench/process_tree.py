"""Wall time and peak memory of a command and every process it starts, for the benchmarks.

Peak memory is the largest sum of resident set sizes over the process tree, sampled every 50 ms: dbt,
dlt and Dagster may start helper processes, and the machine must hold all of them at once. psutil is
used when installed; otherwise the tree and the resident sizes are read from /proc (Linux). A sample
can miss a spike shorter than the interval, so the kernel's own peak of the largest single process is
reported beside it: each process's `VmHWM` (/proc/<pid>/status), read at every sample while it runs.

wait4's `ru_maxrss` is not that figure. Linux records in it the peak of the memory the child ran in
before its `exec`, which is the benchmark's own: with the parent holding 1.5 GiB, `true` reported
1,513 MiB. A benchmark that has held much memory itself (comparing warehouses in-process) would lend its
peak to every later child. It stands in only where /proc cannot be read; a process too short for one
sample reports 0.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05
# A process started between two refreshes is counted from the next one (at most 0.5 s later).
TREE_REFRESH_SAMPLES = 10
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# Where each process's own peak can be read; elsewhere wait4's figure stands in (see above).
PROC_STATUS = Path("/proc/self/status").exists()

try:
    import psutil
except ImportError:  # the product does not depend on psutil: fall back to /proc
    psutil = None


@dataclass(frozen=True)
class Measured:
    seconds: float
    # user + system CPU of the process and the children it waited for: less sensitive than wall time
    # to other work on a shared machine.
    cpu_seconds: float
    peak_tree_rss_mib: float
    peak_process_rss_mib: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run the command to its end; its wall time, peak tree RSS and output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = _PeakSampler(process.pid)
    sampler.start()
    # Read both pipes on threads so that a chatty child never blocks on a full pipe.
    out, err = _drain(process)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        seconds=round(seconds, 2),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        peak_tree_rss_mib=round(sampler.peak_bytes / 2**20, 1),
        peak_process_rss_mib=round(
            (sampler.peak_process_bytes if PROC_STATUS else usage.ru_maxrss * 1024) / 2**20, 1
        ),
        returncode=process.returncode,
        stdout=out,
        stderr=err,
    )


def _drain(process: subprocess.Popen) -> tuple[str, str]:
    chunks: dict[str, str] = {}

    def read(name: str, stream) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=read, args=(n, s))
        for n, s in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    return chunks["out"], chunks["err"]


class _PeakSampler(threading.Thread):
    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.peak_bytes = 0
        self.peak_process_bytes = 0
        self._done = threading.Event()

    def run(self) -> None:
        samples = 0
        tree = {self.root_pid}
        while not self._done.is_set():
            # Listing every process is the costly part: refresh the tree every few samples only.
            if samples % TREE_REFRESH_SAMPLES == 0:
                tree = tree_pids(self.root_pid)
            self.peak_bytes = max(self.peak_bytes, sum(_rss_bytes(pid) for pid in tree))
            self.peak_process_bytes = max(self.peak_process_bytes, *(_peak_rss_bytes(pid) for pid in tree))
            samples += 1
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_pids(root_pid: int) -> set[int]:
    """The process and all its descendants."""
    if psutil is not None:
        try:
            return {root_pid, *(child.pid for child in psutil.Process(root_pid).children(recursive=True))}
        except psutil.Error:
            return {root_pid}
    return _descendants(root_pid, _parents()) | {root_pid}


def tree_rss_bytes(root_pid: int) -> int:
    """Resident bytes of the process and all its descendants, now."""
    return sum(_rss_bytes(pid) for pid in tree_pids(root_pid))


def _parents() -> dict[int, int]:
    """Parent of every live process, from /proc/<pid>/stat (not every kernel has .../task/*/children)."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: fields start after its closing parenthesis.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _descendants(root_pid: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, frontier = set(), [root_pid]
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _rss_bytes(pid: int) -> int:
    """Resident bytes of one process (0 once it has ended)."""
    if psutil is not None:
        try:
            return psutil.Process(pid).memory_info().rss
        except psutil.Error:
            return 0
    try:
        # statm's second field: resident pages (VmRSS of /proc/<pid>/status, cheaper to read).
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def _peak_rss_bytes(pid: int) -> int:
    """The kernel's peak resident bytes of one process since its exec (0 once ended, or without /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0
