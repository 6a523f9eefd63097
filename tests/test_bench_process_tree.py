"""The benchmarks' memory measure: a child's peak is its own, not the benchmark's."""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ is a folder of scripts, not a package.
sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from process_tree import run_measured

MIB = 2**20
CHILD = (
    "x = bytearray({mib} * 2**20)\nfor i in range(0, len(x), 4096): x[i] = 1\nimport time; time.sleep(0.4)"
)


def _touched(mib: int) -> bytearray:
    held = bytearray(mib * MIB)
    for i in range(0, len(held), 4096):
        held[i] = 1
    return held


def test_a_childs_peak_is_its_own_not_the_benchmarks():
    held_by_the_benchmark = _touched(600)

    measured = run_measured([sys.executable, "-c", CHILD.format(mib=150)])

    assert measured.returncode == 0
    # 150 MiB allocated, plus an interpreter (10-40 MiB); the benchmark's 600 MiB must not show.
    assert 150 <= measured.peak_process_rss_mib < 300
    assert 150 <= measured.peak_tree_rss_mib < 300
    assert len(held_by_the_benchmark) == 600 * MIB
