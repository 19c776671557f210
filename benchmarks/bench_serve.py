"""Networked play under load: many exercises on one `sitroom serve` process.

    python benchmarks/bench_serve.py [--exercises 5,20,50] [--per-seat 2] [--scenario ID]

Starts one server process hosting N exercises (the hidden `serve --exercises N` mode: sessions
seeded SEED..SEED+N-1, all six seats human, --auto-close), then plays every seat from this
process over real WebSockets with the ordinary client (`ui.net.client.Connection`): per seat,
`--per-seat` connections (a team); each round one of them saves a draft, sends a public message
(delivered at once) and submits the seat's first legal move, while the others watch. Rounds
close when all six have submitted. Prints inputs/s and acknowledgement latency p50/p99 (from
sending a frame to its ack, as the client sees it), and the server's CPU time.
Goal (issue 14): 50 exercises, 600 connections on 2 cores, ack p99 < 100 ms.

First it prints the cost of one round's close in-process (no network): closing the round, then
the fan-out of events and views to 6 seats x 2 connections, control and observers, split into
the seats' views (`session.view`, legal options included: sim/engine/view.py) and the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from sim.models import Orders
from sim.models.script import MessageOrder, MoveOrder
from ui.net.client import Connection

ROOT = Path(__file__).resolve().parent.parent


def start_server(
    tmp: Path, scenario: str, exercises: int, profile: str | None = None
) -> tuple[subprocess.Popen[str], dict]:
    codes = tmp / "codes.json"
    args = ["--exercises", str(exercises), "--auto-close", "--port", "0", "--codes", str(codes)]
    prof = ["-m", "cProfile", "-o", profile] if profile else []
    proc = subprocess.Popen(
        [sys.executable, *prof, "-m", "ui.cli", "serve", scenario, *args],
        cwd=ROOT,
        env={**os.environ, "SITROOM_ARCHIVE": str(tmp / "archive.sqlite3")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not codes.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.1)
    return proc, json.loads(codes.read_text())


async def timed(latencies: list[float], call: object) -> None:
    t = time.perf_counter()
    await call  # type: ignore[misc]
    latencies.append(time.perf_counter() - t)


async def play_seat(team: list[Connection], latencies: list[float]) -> None:
    """One seat: the first connection acts, the others are teammates watching."""
    lead = team[0]
    done: set[int] = set()
    while not lead.over:
        r = lead.round
        if r in done:
            await lead.changed(timeout=5.0)
            continue
        done.add(r)
        options = lead.view_data.get("options") or []
        moves = [MoveOrder(move=options[0]["move"], target=options[0]["target"])] if options else []
        orders = Orders(moves=moves)
        await timed(latencies, lead.save_draft(orders))
        msg = MessageOrder(to="public", text=f"{lead.actor}: round {r}")
        await timed(latencies, lead.send(msg, round=r))
        await timed(latencies, lead.submit(orders, round=r))


async def bench(url: str, exercises: list[dict], per_seat: int) -> tuple[list[float], float, int]:
    conns: list[list[Connection]] = []
    for ex in exercises:
        for role, code in ex["codes"].items():
            if role not in ("control", "observer"):
                team = [Connection(url, code, name=f"bench {i}") for i in range(per_seat)]
                conns.append(team)
    flat = [c for team in conns for c in team]
    for i in range(0, len(flat), 50):  # connect in batches, as a class would arrive
        await asyncio.gather(*(c.connect() for c in flat[i : i + 50]))
    latencies: list[float] = []
    t0 = time.perf_counter()
    await asyncio.gather(*(play_seat(team, latencies) for team in conns))
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*(c.close() for c in flat))
    return latencies, elapsed, len(flat)


class _Member:
    """A connection that only counts what it is sent (the in-process round-close figure)."""

    def __init__(self, key: str) -> None:
        self.key, self.label, self.sent, self.bytes = key, key, 0, 0

    def push(self, text: str) -> None:
        self.bytes += len(text)

    def drop(self, code: str, message: str) -> None:
        pass


def round_close_cost(scenario: str, per_seat: int, rounds: int = 6) -> None:
    """Milliseconds per round close: the close itself, the fan-out, the seats' views in it."""
    from sim.authoring.loader import load_scenario
    from sim.engine.inputs import Close, Submit
    from sim.record.archive import Archive
    from ui.net.exercise import Exercise

    world = load_scenario(scenario)
    with tempfile.TemporaryDirectory() as tmpdir:
        archive = Archive(Path(tmpdir) / "a.sqlite3")
        seats = dict.fromkeys(world.actors, "human")
        ex = Exercise(archive.create(world, 1, seats, scenario_ref=scenario, meta={}))
        ex.on_dirty = lambda e: None
        for key in [*world.actors, "control", "observer"]:
            for _ in range(per_seat):
                ex.join(_Member(key), -1)  # type: ignore[arg-type]
        session = ex.session
        real_view = session.view
        in_views = 0.0

        def view(actor: str | None) -> object:
            nonlocal in_views
            t = time.perf_counter()
            try:
                return real_view(actor)
            finally:
                in_views += time.perf_counter() - t

        session.view = view  # type: ignore[method-assign]
        close = fan = views = 0.0
        n = 0
        while not session.over and n < rounds:
            for a in world.actors:
                ex.apply(Submit(actor=a, orders=Orders()), None, None, None)
            ex.publish()
            in_views = 0.0
            t = time.perf_counter()
            ex.apply(Close(), None, None, None)
            close += time.perf_counter() - t
            in_views = 0.0
            t = time.perf_counter()
            ex.publish()
            fan += time.perf_counter() - t
            views += in_views
            n += 1
        archive.close()
    seats_n = len(world.actors)
    print(
        f"round close ({scenario}, {seats_n} seats x {per_seat} connections + control + "
        f"observers), mean of {n}: close {close / n * 1000:.1f} ms, fan-out {fan / n * 1000:.1f} "
        f"ms, of which seat views {views / n * 1000:.1f} ms "
        f"({views / n / seats_n * 1000:.1f} ms a seat)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercises", default="5,20,50", help="Comma-separated sizes to run.")
    ap.add_argument("--per-seat", type=int, default=2)
    ap.add_argument("--scenario", default="korea-instability-2012")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the server into FILE (and print)")
    ap.add_argument("--no-close-cost", action="store_true", help="Skip the in-process figure.")
    args = ap.parse_args()
    if not args.no_close_cost:
        round_close_cost(args.scenario, args.per_seat)
    for size in (int(x) for x in args.exercises.split(",")):
        run_size(args, size)


def run_size(args: argparse.Namespace, exercises: int) -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        proc, codes = start_server(Path(tmpdir), args.scenario, exercises, args.profile)
        server = psutil.Process(proc.pid)
        cpu0 = server.cpu_times()
        try:
            latencies, elapsed, n = asyncio.run(
                bench(codes["url"], codes.get("exercises") or [codes], args.per_seat)
            )
        finally:
            cpu1 = server.cpu_times()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    if args.profile:
        import pstats

        pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    mine = psutil.Process().cpu_times()
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    busy = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    print(
        f"{exercises} exercises, {n} connections, {len(lat)} acknowledged frames in "
        f"{elapsed:.1f} s: {len(lat) / elapsed:.0f} inputs/s; ack latency p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {lat[-1] * 1000:.1f} ms; server CPU {busy:.1f} s "
        f"({busy / elapsed:.0%} of one core), clients' CPU {mine.user + mine.system:.1f} s; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
