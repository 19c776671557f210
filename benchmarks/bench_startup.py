"""Start-up: `sitroom --help` and `sitroom run` of the default scenario, as a user types them.

    python benchmarks/bench_startup.py [--repeat 5]

Each command runs in a fresh process (bytecode caches warm: one untimed run first); prints the
best wall time and the best CPU time (user + system of the child) of ``--repeat`` runs, beside a
bare interpreter started the same way, so the figures can be compared across machines as ratios.
Targets (issue 18): `sitroom --help` < 0.15 s, `sitroom run` < 0.4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best(cmd: list[str], repeat: int) -> tuple[float, float]:
    """(best wall s, best child CPU s) of ``repeat`` runs of ``cmd``, after one untimed run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
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
    cases = [
        ("python -c pass (bare interpreter)", [py, "-c", "pass"], None),
        ("sitroom --help", [py, "-m", "ui.cli", "--help"], 0.15),
        ("sitroom run --no-archive -q", [py, "-m", "ui.cli", "run", "--no-archive", "-q"], 0.4),
    ]
    bare = None
    for label, cmd, target in cases:
        wall, cpu = best(cmd, args.repeat)
        bare = bare or wall
        goal = f"  (target < {target:g} s)" if target else ""
        print(f"{label:<36} wall {wall:6.3f} s  CPU {cpu:6.3f} s  {wall / bare:5.1f}x bare{goal}")


if __name__ == "__main__":
    main()
