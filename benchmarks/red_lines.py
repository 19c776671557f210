"""How often each red line of each bundled profile fires, over computer-played runs.

    python benchmarks/red_lines.py            # 1,000 runs of every bundled scenario
    python benchmarks/red_lines.py -n 200     # fewer runs

For every scenario and every red line of a profile taking part, the share of runs in which the
actor found it crossed (a ``red_line`` event) at least once. A red line passes when it fires in
at least 1% of the runs of some bundled scenario, or when its profile marks it ``unreachable``,
with a reason, in every scenario where it fires in fewer than 1% of the runs. Exit status 1
when one does not.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.events import RedLineCrossed
from sim.record.runner import run

THRESHOLD = 0.01


def fired(args: tuple[str, int, int]) -> tuple[str, Counter[tuple[str, str]]]:
    """(scenario, runs in which each (actor, red line) fired) for seeds start..start+n."""
    scenario, start, n = args
    world = load_scenario(scenario)
    counts: Counter[tuple[str, str]] = Counter()
    for seed in range(start, start + n):
        session = run(world, seed, lean=True)
        counts.update({(e.actor, e.red_line) for e in session.log if isinstance(e, RedLineCrossed)})
    return scenario, counts


def table(runs: int, workers: int) -> tuple[list[tuple[str, str, str, float, str]], bool]:
    """Rows (profile, red line, scenario, share, note) and whether every red line passes."""
    scenarios = library.scenario_ids()
    chunk = max(1, runs // (workers * 4))
    jobs = [(s, i, min(chunk, runs - i)) for s in scenarios for i in range(0, runs, chunk)]
    totals: dict[str, Counter[tuple[str, str]]] = {s: Counter() for s in scenarios}
    with ProcessPoolExecutor(workers) as pool:
        for scenario, counts in pool.map(fired, jobs):
            totals[scenario].update(counts)
    rows = []
    for scenario in scenarios:
        world = load_scenario(scenario)
        for actor, model in world.models.items():
            for rl in model.profile.red_lines:
                share = totals[scenario][(actor, rl.id)] / runs
                note = rl.unreachable.get(scenario, "")
                rows.append((model.profile.id, rl.id, scenario, share, note))
    ok = all(verdicts(rows).values())
    return rows, ok


def verdicts(rows: list[tuple[str, str, str, float, str]]) -> dict[tuple[str, str], bool]:
    """(profile, red line) -> passes: it fires in >= 1% of the runs of some scenario, or it is
    marked unreachable, with a reason, in every scenario where it fires in fewer."""
    fires: dict[tuple[str, str], bool] = {}
    marked: dict[tuple[str, str], bool] = {}
    for profile, rid, _scenario, share, note in rows:
        key = (profile, rid)
        fires[key] = fires.get(key, False) or share >= THRESHOLD
        marked[key] = marked.get(key, True) and (share >= THRESHOLD or bool(note.strip()))
    return {key: fires[key] or marked[key] for key in fires}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="runs per scenario")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows, ok = table(args.n, args.workers)
    verdict = verdicts(rows)
    print(f"{'profile':8} {'red line':28} {'scenario':24} {'fires in':>9}  note")
    for profile, rid, scenario, share, note in rows:
        print(f"{profile:8} {rid:28} {scenario:24} {share:>8.1%}  {note}")
    print()
    for (profile, rid), passes in verdict.items():
        if not passes:
            print(
                f"FAILS: {profile}.{rid} fires in < 1% of every scenario's runs and is not "
                "marked unreachable in each of them"
            )
    print(
        "every red line fires in >= 1% of some scenario's runs, or is marked unreachable in "
        f"every scenario where it fires in fewer: {ok}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
