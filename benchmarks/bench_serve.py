"""Networked play under load: many exercises on one `sitroom serve` process.

    python benchmarks/bench_serve.py [--exercises 50] [--per-seat 2] [--scenario ID]

Starts one server process hosting N exercises (the hidden `serve --exercises N` mode: sessions
seeded SEED..SEED+N-1, all six seats human, --auto-close), then plays every seat from this
process over real WebSockets with the ordinary client (`ui.net.client.Connection`): per seat,
`--per-seat` connections (a team); each round one of them saves a draft, sends a public message
(delivered at once) and submits the seat's first legal move, while the others watch. Rounds
close when all six have submitted. Prints inputs/s and acknowledgement latency p50/p99 (from
sending a frame to its ack, as the client sees it), and the server's CPU time.
Goal (issue 14): 50 exercises, 600 connections on 2 cores, ack p99 < 100 ms.
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


def start_server(tmp: Path, scenario: str, exercises: int) -> tuple[subprocess.Popen[str], dict]:
    codes = tmp / "codes.json"
    args = ["--exercises", str(exercises), "--auto-close", "--port", "0", "--codes", str(codes)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", scenario, *args],
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exercises", type=int, default=50)
    ap.add_argument("--per-seat", type=int, default=2)
    ap.add_argument("--scenario", default="korea-instability-2012")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        proc, codes = start_server(Path(tmpdir), args.scenario, args.exercises)
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
    mine = psutil.Process().cpu_times()
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    busy = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    print(
        f"{args.exercises} exercises, {n} connections, {len(lat)} acknowledged frames in "
        f"{elapsed:.1f} s: {len(lat) / elapsed:.0f} inputs/s; ack latency p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms, max {lat[-1] * 1000:.1f} ms; server CPU {busy:.1f} s "
        f"({busy / elapsed:.0%} of one core), clients' CPU {mine.user + mine.system:.1f} s; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
