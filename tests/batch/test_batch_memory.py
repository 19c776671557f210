"""A batch's memory does not grow with its size: runs are cut into spans on demand (issue 16)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

import psutil

from sim.batch.runs import Spans, spans_for

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 400
"""Summed RSS of the parent and two workers (each ~100 MB with the engine and a world, forked
pages counted in every process); the list of a billion runs' spans alone took 2 GB."""


def test_spans_are_computed_not_stored() -> None:
    """A billion runs' spans cost a few bytes and read like the list they replace: consecutive,
    covering every run once, the last runs in smaller spans."""
    spans = spans_for(10**9, 2)
    assert isinstance(spans, Spans)
    assert spans[0] == (0, 64) and spans[-1] == (10**9 - 8, 10**9)
    assert spans[10**9 // 64 - 5] == (10**9 - 5 * 64, 10**9 - 4 * 64)  # the last of 64 runs
    assert len(spans) == 10**9 // 64 - 4 + 4 * 8
    small = spans_for(1000, 2)
    want = [(i, i + 31) for i in range(0, 28 * 31, 31)]  # up to 1000 - 4 x 31, whole spans
    want += [(i, min(i + 3, 1000)) for i in range(want[-1][1], 1000, 3)]
    assert list(small) == want
    assert [small[i] for i in range(len(small))] == list(small)
    for n in (0, 1, 7, 31, 64, 100, 1000, 4097):
        for workers in (1, 2, 3):
            got = list(spans_for(n, workers))
            assert [i for a, b in got for i in range(a, b)] == list(range(n))
            assert all(a < b for a, b in got)
            assert [spans_for(n, workers)[i] for i in range(len(got))] == got


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """(summed RSS in bytes, number of processes) of ``proc`` and its children."""
    tree = [proc, *proc.children(recursive=True)]
    total = 0
    for p in tree:
        with contextlib.suppress(psutil.Error):  # a process ended while we looked
            total += p.memory_info().rss
    return total, len(tree)


def test_a_billion_runs_start_in_bounded_memory(tmp_path: Path) -> None:
    """`batch -n 1000000000` plays its first runs in bounded memory: rows reach the CSV (its
    temp file, renamed when the batch ends; the first 8 KB buffer holds about 80 rows)."""
    csv = tmp_path / "runs.csv"
    cmd = [sys.executable, "-m", "ui.cli", "batch", "-n", "1000000000", "--workers", "2"]
    proc = psutil.Popen([*cmd, "--csv", str(csv)], cwd=ROOT, stderr=subprocess.PIPE)
    peak, written = 0, 0
    try:
        for _ in range(300):  # at most 60 s on a loaded machine; usually a few seconds
            rss, count = _tree_rss(proc)
            peak = max(peak, rss)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            written = sum(f.stat().st_size for f in tmp_path.glob(".runs.csv.*"))
            if written > 0 and count >= 3:
                break
            time.sleep(0.2)
        for _ in range(10):  # and it stays bounded while it plays on
            peak = max(peak, _tree_rss(proc)[0])
            time.sleep(0.2)
    finally:
        children = proc.children(recursive=True)
        proc.kill()
        proc.wait(10)
        for child in children:  # the workers we started, by pid
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
    assert written > 0, "no runs finished"
    assert peak < LIMIT_MB * 2**20, f"peak {peak / 2**20:.0f} MB"
