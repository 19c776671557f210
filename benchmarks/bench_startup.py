"""Start-up: `sitroom --help` and `sitroom run` of the default scenario, as a user types them.

    python benchmarks/bench_startup.py [--repeat 5]

Each command runs in a fresh process (bytecode caches warm: one untimed run first); prints the
best wall time and the best CPU time (user + system of the child) of ``--repeat`` runs, beside a
bare interpreter started the same way, so the figures can be compared across machines as ratios.
`sitroom run` is timed with the world cache warm (as every start after the first finds it; a
private cache folder, so the user's is left alone; it also holds the computer players' compiled
scoring) and with the cache off (the first start, or any start after the scenario or a file it
uses changed).
Targets (issue 18): `sitroom --help` < 0.15 s, `sitroom run` < 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(cmd: list[str], repeat: int, cache: str) -> tuple[float, float]:
    """(best wall s, best child CPU s) of ``repeat`` runs of ``cmd``, after one untimed run."""
    # Bytecode caches as a user has them (this environment may turn them off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SITROOM_CACHE"] = cache
    subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    run = [py, "-m", "ui.cli", "run", "--no-archive", "-q"]
    folder = tempfile.mkdtemp(prefix="sitroom-bench-cache-")
    cases = [
        ("python -c pass (bare interpreter)", [py, "-c", "pass"], "off", None),
        ("sitroom --help", [py, "-m", "ui.cli", "--help"], "off", 0.15),
        ("sitroom run --no-archive -q", run, folder, 0.4),
        ("  the same, world cache off", run, "off", None),
    ]
    bare = None
    try:
        measured = [
            (label, *best(cmd, args.repeat, cache), target) for label, cmd, cache, target in cases
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for label, wall, cpu, target in measured:
        bare = bare or wall
        goal = f"  (target < {target:g} s)" if target else ""
        print(f"{label:<36} wall {wall:6.3f} s  CPU {cpu:6.3f} s  {wall / bare:5.1f}x bare{goal}")


if __name__ == "__main__":
    main()
