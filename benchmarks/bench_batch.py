"""Batch speed and memory: `sitroom batch` on the default scenario, as a user runs it.

    python benchmarks/bench_batch.py [--runs 10000] [--workers 2] [--scaling-runs 2000]
                                     [--scenario ID_OR_PATH] [--split 300]

Runs the real command in a subprocess and samples the memory of it and its worker processes
(psutil), then measures 1 and 2 workers on a smaller batch for the scaling figure and checks that
both give the same report. Target (issue 8): 10,000 runs with 2 workers on a 2-core machine in at
most 30 s, peak memory of parent + workers under 300 MB.

The CPU time of the whole process tree (the command and its workers) is printed beside the wall
time: on a shared machine it is the figure that travels. ``--split N`` plays N runs in this
process the way a worker does and splits each run's CPU time into the rounds and what a run adds
around them (its seed, the session, the players' construction, the batch's round hook, the
result, collecting its cycles), so per-run overhead can be measured apart from the rounds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def batch(
    scenario: str | None, runs: int, workers: int
) -> tuple[dict[str, Any], float, float, float, float]:
    """Run the command; (report, elapsed s, peak RSS MB summed over the tree, peak PSS MB, CPU s
    of the tree)."""
    cmd = [
        sys.executable,
        "-m",
        "ui.cli",
        "batch",
        *([scenario] if scenario else []),
        "-n",
        str(runs),
        "--workers",
        str(workers),
        "--json",
    ]
    started = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        import psutil
    except ImportError:  # fall back to the largest single process (getrusage cannot sum)
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return json.loads(out.stdout), time.perf_counter() - started, peak, float("nan"), _cpu(cpu0)
    proc = psutil.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0.0
    tree: list[Any] = [proc]
    tick = 0
    # Sampling must not slow the batch it measures on a 2-core machine: the process tree is
    # listed once a second (a /proc scan), RSS read every 0.1 s, PSS (smaps) every 0.5 s.
    while proc.poll() is None:
        try:
            if tick % 10 == 0:
                tree = [proc, *proc.children(recursive=True)]
            if tick % 5 == 0:
                full = [p.memory_full_info() for p in tree]  # PSS splits shared forked pages
                peak_pss = max(peak_pss, sum(getattr(m, "pss", m.rss) for m in full))
            peak_rss = max(peak_rss, sum(p.memory_info().rss for p in tree))
        except psutil.Error:  # a process ended while we looked
            tree = [proc]
        tick += 1
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"sitroom batch failed ({proc.returncode}):\n{stderr}")
    return json.loads(stdout), elapsed, peak_rss / 2**20, peak_pss / 2**20, _cpu(cpu0)


def _cpu(before: resource.struct_rusage) -> float:
    """CPU seconds of the children waited for since ``before`` (the command and its workers,
    which the pool joins before the command exits)."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def split(scenario: str | None, runs: int) -> dict[str, float]:
    """Ms per run, in this process, as a worker plays them: the rounds, and the rest (run it on
    a core of its own, or read the shares). The collector is the batch's: off, with each run's
    cycles collected when it ends ("collect")."""
    sys.path.insert(0, str(ROOT))
    import gc

    import sim.engine.computer as computer
    from sim.authoring.library import DEFAULT_SCENARIO
    from sim.authoring.scripts import seats_for
    from sim.batch.runs import (  # the worker's chance hook: chance_watch's fast twin
        _formulas,
        _watch_records,
        batch_collector,
        recipe_for,
        result_of,
        run_seed,
        spans_for,
    )
    from sim.engine.session import Session

    world = recipe_for(scenario or DEFAULT_SCENARIO).build()
    formulas = _formulas(world)
    # perf_counter, not process_time: the latter is a system call here (~4 us, ~30 a run).
    clock = time.perf_counter
    parts = dict.fromkeys(
        ("seed", "session", "rounds", "players", "hook", "result", "collect"), 0.0
    )
    make = getattr(computer, "make_policy")  # noqa: B009

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = clock()
        policy = make(*args, **kwargs)
        parts["players"] += clock() - t
        return policy

    setattr(computer, "make_policy", timed)  # noqa: B010 (the name is not exported)
    # The collector as a worker has it: what is alive now (the engine, the world) frozen out of
    # its sight (tune_gc), no automatic collections, the young generation collected after each
    # run and everything after each span of a 10,000-run batch on 2 workers (play).
    span = spans_for(10_000, 2).size
    gc.freeze()
    try:
        with batch_collector():
            for i in range(-20, runs):  # 20 untimed runs first: imports, first-call costs
                if i == 0:
                    parts = dict.fromkeys(parts, 0.0)
                t0 = clock()
                seed = run_seed(1, i)
                watch = _watch_records(world, formulas)  # the worker's hook (_Runner.play)
                t1 = clock()
                session = Session(world, seed, seats_for(world, None), lean=True)
                if watch is not None:
                    watch[1](session, [])
                t2 = clock()
                hook = 0.0
                while not session.over:
                    events = session.close_round()
                    if watch is not None:
                        t = clock()
                        watch[1](session, events)
                        hook += clock() - t
                t3 = clock()
                result_of(session, i, watch[0] if watch is not None else None)
                t4 = clock()
                del session
                gc.collect(0)
                if i % span == span - 1:
                    gc.collect()
                parts["collect"] += clock() - t4
                parts["result"] += t4 - t3
                parts["seed"] += t1 - t0
                parts["session"] += t2 - t1
                parts["hook"] += hook
                parts["rounds"] += t3 - t2 - hook
    finally:
        gc.unfreeze()
        setattr(computer, "make_policy", make)  # noqa: B010
    parts["rounds"] -= parts["players"]  # the players are built in the first round
    return {k: v / runs * 1000 for k, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scaling-runs", type=int, default=2000)
    parser.add_argument("--scenario", default=None, help="default: the flagship scenario")
    parser.add_argument(
        "--split", type=int, default=0, metavar="N", help="only split N in-process runs' CPU"
    )
    args = parser.parse_args()

    if args.split:
        parts = split(args.scenario, args.split)
        total = sum(parts.values())
        print(f"{args.split} runs in process: {total:.2f} ms per run")
        for name, ms in parts.items():
            print(f"  {name:<8} {ms:7.3f} ms  {ms / total:6.1%}")
        print(f"  around the rounds: {(total - parts['rounds']) / total:.1%} of a run")
        return

    rep, elapsed, rss, pss, cpu = batch(args.scenario, args.runs, args.workers)
    rate = rep["rounds"] / rep["wall_seconds"]
    print(
        f"{rep['scenario']}: {args.runs:,} runs, {args.workers} workers: {elapsed:.1f} s "
        f"end to end ({rep['wall_seconds']:.1f} s playing), {rep['rounds']:,} rounds"
    )
    print(
        f"  CPU, command + workers: {cpu:.1f} s ({cpu / args.runs * 1000:.2f} ms per run; "
        f"{cpu / args.workers:.1f} s on {args.workers} idle cores)"
    )
    print(
        f"  {rate:,.0f} rounds/s, {rate / args.workers:,.0f} rounds/s per core, "
        f"{args.runs / rep['wall_seconds']:,.0f} runs/s"
    )
    print(f"  peak memory, process + workers: {rss:.0f} MB RSS summed ({pss:.0f} MB PSS)")
    ok_time, ok_mem = elapsed <= 30, rss < 300
    print(
        f"  target <= 30 s: {'ok' if ok_time else 'MISSED'}; "
        f"< 300 MB: {'ok' if ok_mem else 'MISSED'}"
    )

    one, *_ = batch(args.scenario, args.scaling_runs, 1)
    two, *_ = batch(args.scenario, args.scaling_runs, 2)
    r1 = one["rounds"] / one["wall_seconds"]
    r2 = two["rounds"] / two["wall_seconds"]
    print(
        f"scaling on {args.scaling_runs:,} runs: 1 worker {r1:,.0f} rounds/s, 2 workers "
        f"{r2:,.0f} rounds/s: x{r2 / r1:.2f} ({r2 / r1 / 2:.0%} efficiency)"
    )
    same = {k: v for k, v in one.items() if k not in ("wall_seconds", "workers")} == {
        k: v for k, v in two.items() if k not in ("wall_seconds", "workers")
    }
    print(f"  1 and 2 workers give the same report: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
