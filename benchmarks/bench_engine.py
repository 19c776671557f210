"""Engine speed and memory: computer-played runs of the default scenario on one core.

    python benchmarks/bench_engine.py [--runs 100] [--repeat 3] [--scenario ID]

Prints rounds/s in full play and in lean (batch) play, computer decisions included, beside two
references measured in the same run, so that the figures travel between machines:

- the `diplomacy` package (PyPI; the DATC-tested Diplomacy adjudicator) playing games in which all
  seven powers give random orders: phases/s, each phase listing the possible orders, drawing
  them and adjudicating (``Game.process``), the same work as one of our rounds;
- a bare SimPy loop with as many timeouts as the runs scheduled: the floor of a SimPy clock.

Rates are per core: CPU seconds of this process (``time.process_time``), the best of
``--repeat`` interleaved measurements (the machine may be shared; wall time is printed too).
Also printed: lean play with the collector run as a batch worker runs it, and the kernel alone (the
same runs' orders replayed into bare kernels: the engine's share without the computer players).
Then the peak memory of a 1,000-round run, in a fresh process.
Targets (issue 18): lean >= 2,000 and full >= 1,500 rounds/s per core; lean >= 9.5x diplomacy's
phases/s; < 100 MB peak for 1,000 rounds (issue 3).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import simpy

from sim.authoring.loader import load_scenario
from sim.batch.runs import batch_collector
from sim.engine.build import build
from sim.engine.kernel import Kernel, RoundOrders
from sim.engine.session import Session
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


def recorded_orders(world: World, seed: int) -> list[RoundOrders]:
    """Every round's orders of a lean computer-played run, as the session hands them to its
    kernel (the session's own ``_round_orders``, what ``close_round`` does)."""
    session = Session(world, seed, lean=True)
    rounds = []
    while not session.over:
        orders = session._round_orders(commit=True)
        rounds.append(orders)
        session.kernel.close_round(orders)
    return rounds


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


def diplomacy_phases(games: int, phases: int, seed: int = 0) -> int:
    """Play ``games`` games of Diplomacy for ``phases`` phases each (or to their end), every power
    giving random orders; the number of phases adjudicated."""
    from diplomacy import Game  # a benchmark reference only (the test extra installs it)

    rng = random.Random(seed)
    done = 0
    for _ in range(games):
        game = Game()
        for _ in range(phases):
            if game.is_game_done:
                break
            possible = game.get_all_possible_orders()
            for power in game.powers:
                orderable = game.get_orderable_locations(power)
                game.set_orders(
                    power, [rng.choice(possible[loc]) for loc in orderable if possible[loc]]
                )
            game.process()
            done += 1
    return done


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    c, w = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


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
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scenario", default="korea-instability-2012")
    ap.add_argument("--diplomacy-games", type=int, default=2, help="games of 40 phases each")
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.scenario, args.memory_child)
        return

    world = load_scenario(args.scenario)
    run(world, 0)  # warm caches (bound moves are compiled on first use)
    rounds = events = simpy_events = 0
    for seed in range(1, args.runs + 1):
        s = run(world, seed)
        rounds += sum(1 for e in s.log if e.type == "round_closed")
        events += len(s.log)
        simpy_events += next(s.kernel.env._eid)  # SimPy's count of scheduled events

    def full() -> None:
        for seed in range(1, args.runs + 1):
            run(world, seed)

    def lean() -> None:
        for seed in range(1, args.runs + 1):
            run(world, seed, lean=True)

    def lean_batch_gc() -> None:
        # The collector as a batch worker runs it (sim.batch.runs.tune_gc and play): what is
        # alive now frozen, automatic collection off, the young generation collected after
        # every run. (Unfrozen afterwards: the other cases run with the collector as it was.)
        gc.freeze()
        try:
            with batch_collector():
                for seed in range(1, args.runs + 1):
                    run(world, seed, lean=True)
                    gc.collect(0)
                gc.collect()
        finally:
            gc.unfreeze()

    # The kernel alone: the same runs' orders replayed into bare kernels (no computer players,
    # no views): the engine's own share of a lean round.
    replays = [(seed, recorded_orders(world, seed)) for seed in range(1, args.runs + 1)]

    def kernel_only() -> None:
        for seed, rounds_orders in replays:
            kernel = Kernel(world, seed, lean=True)
            for orders in rounds_orders:
                kernel.close_round(orders)

    try:
        import diplomacy  # noqa: F401
    except ImportError:
        have_diplomacy = False
        print(
            "(the diplomacy package is not installed: pip install -e '.[test]' for the reference)"
        )
    else:
        have_diplomacy = True
    cases: dict[str, Callable[[], object]] = {
        "full": full,
        "lean": lean,
        "lean_gc": lean_batch_gc,
        "kernel": kernel_only,
        "simpy": lambda: simpy_baseline(simpy_events),
    }
    if have_diplomacy:
        cases["diplomacy"] = lambda: diplomacy_phases(args.diplomacy_games, 40)
    cpu: dict[str, float] = {}
    wall: dict[str, float] = {}
    phases = 0
    for _ in range(args.repeat):  # interleaved, so a burst of load hits every case alike
        for name, fn in cases.items():
            c, w, out = timed(fn)
            if name == "diplomacy":
                phases = int(out)  # type: ignore[call-overload]
            cpu[name] = min(cpu.get(name, c), c)
            wall[name] = min(wall.get(name, w), w)

    per_core = {name: rounds / cpu[name] for name in ("full", "lean", "lean_gc", "kernel")}
    print(
        f"scenario            {world.id} ({len(world.actors)} computer seats, "
        f"{len(world.moves)} move types)"
    )
    print(
        f"runs                {args.runs} ({rounds} rounds, {events} log events), best of "
        f"{args.repeat}, CPU time of one process"
    )
    print(
        f"rounds/s per core   full {per_core['full']:7,.0f}   (target >= 1,500; wall "
        f"{rounds / wall['full']:,.0f})"
    )
    print(
        f"                    lean {per_core['lean']:7,.0f}   (target >= 2,000; wall "
        f"{rounds / wall['lean']:,.0f}; no rationale lines, no round hashes)"
    )
    print(
        f"                    lean {per_core['lean_gc']:7,.0f}   with the collector as batch "
        f"workers run it (frozen heap, off, young generation collected per run)"
    )
    print(
        f"kernel alone        {per_core['kernel']:7,.0f}   rounds/s: the same orders replayed "
        f"into bare kernels, {cpu['kernel'] / cpu['lean']:.0%} of a lean round"
    )
    print(f"log events/s        {events / cpu['full']:,.0f} (full)")
    floor = cpu["simpy"]
    print(
        f"SimPy floor         {simpy_events} timeouts in {floor * 1000:.1f} ms: full takes "
        f"{cpu['full'] / floor:.0f}x, lean {cpu['lean'] / floor:.0f}x the bare clock"
    )
    if have_diplomacy:
        dip = phases / cpu["diplomacy"]
        print(
            f"diplomacy           {dip:,.0f} phases/s per core (7 powers, random orders, "
            f"{phases} phases)"
        )
        print(
            f"  ratio             lean {per_core['lean'] / dip:.1f}x, full "
            f"{per_core['full'] / dip:.1f}x diplomacy's phases/s   (target lean >= 9.5x)"
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
