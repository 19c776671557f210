"""Engine speed and memory: computer-played runs of the default scenario on one core.

    python benchmarks/bench_engine.py [--runs 300] [--scenario ID]

Prints rounds/s and events/s including computer decisions, the bare SimPy time for the same number
of SimPy events, and the peak memory of a 1,000-round run (measured in a fresh process).
Targets (issue 3): >= 2,000 rounds/s per core, < 100 MB peak for 1,000 rounds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simpy

from sim.authoring.loader import load_scenario
from sim.engine.build import build
from sim.engine.world import World
from sim.record.runner import run


def long_world(world: World, rounds: int) -> World:
    """The same scenario with a longer clock and no early endings, for the memory figure."""
    sc = world.scenario
    ends = [e.model_copy(update={"immediate": False}) for e in sc.end_conditions]
    patched = sc.model_copy(
        update={"clock": sc.clock.model_copy(update={"rounds": rounds}), "end_conditions": ends}
    )
    profiles = {m.profile.id: m.profile for m in world.models.values()}
    from sim.authoring.loader import bundled_catalogues

    built, issues = build(patched, profiles, bundled_catalogues())
    assert built is not None, issues
    return built


def simpy_baseline(n: int) -> float:
    """Seconds for SimPy alone to process ``n`` timeout events in one process."""
    env = simpy.Environment()

    def proc(env: simpy.Environment):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1)

    env.process(proc(env))
    t = time.perf_counter()
    env.run()
    return time.perf_counter() - t


def memory_child(scenario: str, rounds: int) -> None:
    world = long_world(load_scenario(scenario), rounds)
    tracemalloc.start()
    session = run(world, 1)
    _, peak = tracemalloc.get_traced_memory()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rounds": session.round - 1,
                "events": len(session.log),
                "python_peak_mb": peak / 2**20,
                "maxrss_mb": maxrss_mb,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--scenario", default="korea-instability-2012")
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.scenario, args.memory_child)
        return

    world = load_scenario(args.scenario)
    run(world, 0)  # warm caches (bound moves are compiled on first use)
    rounds = events = simpy_events = 0
    t = time.perf_counter()
    for seed in range(1, args.runs + 1):
        s = run(world, seed)
        rounds += sum(1 for e in s.log if e.type == "round_closed")
        events += len(s.log)
        simpy_events += next(s.kernel.env._eid)  # SimPy's count of scheduled events
    wall = time.perf_counter() - t
    t = time.perf_counter()
    for seed in range(1, args.runs + 1):
        run(world, seed, lean=True)
    lean = time.perf_counter() - t
    bare = simpy_baseline(simpy_events)
    print(
        f"scenario            {world.id} ({len(world.actors)} computer seats, "
        f"{len(world.moves)} move types)"
    )
    print(f"runs                {args.runs} ({rounds} rounds, {events} log events)")
    print(f"wall                {wall:.2f} s on one core")
    print(f"rounds/s            {rounds / wall:,.0f}   (target >= 2,000)")
    print(f"  lean, as batch    {rounds / lean:,.0f}   (no rationale lines, no round hashes)")
    print(f"log events/s        {events / wall:,.0f}")
    print(
        f"SimPy events        {simpy_events} scheduled; bare SimPy for the same number: "
        f"{bare * 1000:.1f} ms ({bare / wall:.1%} of the run)"
    )
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", args.scenario, "--memory-child", "1000"],
        capture_output=True,
        text=True,
        check=True,
    )
    mem = json.loads(out.stdout)
    print(
        f"1,000-round run     {mem['events']} events; peak Python heap "
        f"{mem['python_peak_mb']:.1f} MB, process max RSS {mem['maxrss_mb']:.1f} MB "
        f"(target < 100 MB)"
    )


if __name__ == "__main__":
    main()
