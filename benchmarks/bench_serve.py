"""Networked play under load: many exercises on one `sitroom serve` process.

    python benchmarks/bench_serve.py [--exercises 5,50] [--think 0,2] [--client-procs 3]
        [--rounds N] [--per-seat 2] [--scenario ID] [--profile FILE] [--callgrind]
        [--no-close-cost]

Starts one server process hosting N exercises (the hidden `serve --exercises N` mode: sessions
seeded SEED..SEED+N-1, all six seats human, --auto-close), then plays every seat over real
WebSockets with the ordinary client (`ui.net.client.Connection`), from ``--client-procs`` worker
processes so that no one client event loop's backlog is counted as the server's latency. Per
seat, ``--per-seat`` connections (a team); each round the first one saves a draft, sends a public
message (delivered at once) and submits the seat's first legal move, while the others watch.
Rounds close when all six seats have submitted.

Two loads, each run for every size:

* ``--think 0``: flood (a stress test, closed loop). Every seat fires its three frames back to
  back the moment a round opens, so all N exercises close their rounds at the same instant; it
  measures capacity (inputs/s the server sustains) and latency when saturated.
* ``--think T``: paced, modelling people. Before each of its three frames a seat thinks for a
  random time, uniform in [0, 2T] seconds (seeded per exercise and seat), so the offered rate is
  about seats x 3 / (round length) and rounds close at scattered moments. People in a real
  exercise think minutes, not seconds: T = 2 is a far heavier load than a class.

Prints, per run: the offered and acknowledged rates, the acknowledgement latency from sending a
frame to its ack arriving as the client sees it (stamped in the client's reader, p50/p99/max),
the same from the server's side (frame read off its socket to its ack written to the socket,
kept by the server in this hidden mode and read at ``GET /stats``), and the server's CPU time
per acknowledged frame.

The goal (issue 14) is stated for the paced load: 50 exercises, 600 connections (300 acting
seats, 300 watching teammates), think time 2 s (about 85 frames/s offered: each seat sends a
frame every ~3.5 s), the whole exercise (korea-instability-2012's 7 rounds, ~80 s; ``--rounds``
shortens it) with the server and the load generator on the same 2-core machine, ack p99 < 100 ms
as the clients see it and as the server measures it. The flood figures say how the server fares
far above that load. Latency figures are only meaningful on an otherwise idle machine (the load
average is printed); ``--callgrind`` gives a CPU figure that is not.

First it prints the cost of one round's close in-process (no network): closing the round, then
the fan-out of events and views to 6 seats x 2 connections, control and observers, split into
the seats' views (`session.view`, legal options included: sim/engine/view.py) and the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from sim.models import Orders
from sim.models.script import MessageOrder, MoveOrder
from ui.net.client import Connection
from ui.net.protocol import Ack, Frame, ServerFrame

ROOT = Path(__file__).resolve().parent.parent


def start_server(
    tmp: Path,
    scenario: str,
    exercises: int,
    rounds: int | None,
    profile: str | None = None,
    callgrind: bool = False,
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    codes = tmp / "codes.json"
    args = ["--exercises", str(exercises), "--auto-close", "--port", "0", "--codes", str(codes)]
    if rounds is not None:
        args += ["--rounds", str(rounds)]
    prof = ["-m", "cProfile", "-o", profile] if profile else []
    grind = (
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={tmp}/cg"]
        if callgrind
        else []
    )
    proc = subprocess.Popen(
        [*grind, sys.executable, *prof, "-m", "ui.cli", "serve", scenario, *args],
        cwd=ROOT,
        env={**os.environ, "SITROOM_ARCHIVE": str(tmp / "archive.sqlite3")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + (1800 if callgrind else 300)
    while not codes.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
        time.sleep(0.1)
    return proc, json.loads(codes.read_text())


def server_stats(url: str, reset: bool = False) -> dict[str, Any]:
    """The server's own figures (empty from a server without them: an older one, for A/B)."""
    try:
        address = url.rstrip("/") + "/stats" + ("?reset=1" if reset else "")
        with urllib.request.urlopen(address) as r:
            data: dict[str, Any] = json.loads(r.read())
    except urllib.error.HTTPError:
        return {"acks": [], "frames": 0, "batches": 0, "largest_batch": 0, "commit_s": 0.0}
    return data


class Timed(Connection):
    """The ordinary client, stamping each frame as it is sent and its ack as the reader
    handles it (not when the awaiting task next runs: that is the client's own backlog)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.sent = 0

    async def request(self, frame: Frame, frame_id: str) -> Ack:
        self.sent += 1
        self.sent_at[frame_id] = time.perf_counter()
        return await super().request(frame, frame_id)

    def _handle(self, frame: ServerFrame) -> None:
        if isinstance(frame, Ack):
            sent = self.sent_at.pop(frame.id, None)
            if sent is not None:
                self.latencies.append(time.perf_counter() - sent)
        super()._handle(frame)


async def play_seat(team: list[Timed], think: float, rng: random.Random) -> None:
    """One seat: the first connection acts, the others are teammates watching."""
    lead = team[0]
    done: set[int] = set()

    async def pause() -> None:
        if think > 0:
            await asyncio.sleep(rng.uniform(0, 2 * think))

    while not lead.over:
        r = lead.round
        if r in done:
            await lead.changed(timeout=5.0)
            continue
        done.add(r)
        options = lead.view_data.get("options") or []
        moves = [MoveOrder(move=options[0]["move"], target=options[0]["target"])] if options else []
        orders = Orders(moves=moves)
        await pause()
        await lead.save_draft(orders)
        await pause()
        await lead.send(MessageOrder(to="public", text=f"{lead.actor}: round {r}"), round=r)
        await pause()
        await lead.submit(orders, round=r)


@dataclass
class Share:
    """What one client process plays, and what it measured."""

    url: str
    teams: list[tuple[int, str, str]]
    """(exercise index, seat, join code)."""
    per_seat: int
    think: float
    seed: int
    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    cpu: float = 0.0


async def play_share(share: Share, barrier: Barrier) -> Share:
    loop = asyncio.get_running_loop()
    teams = [
        [Timed(share.url, code, name=f"bench {i}") for i in range(share.per_seat)]
        for _ex, _seat, code in share.teams
    ]
    flat = [c for team in teams for c in team]
    for i in range(0, len(flat), 50):  # connect in batches, as a class would arrive
        await asyncio.gather(*(c.connect() for c in flat[i : i + 50]))
    await loop.run_in_executor(None, barrier.wait)  # everyone connected
    await loop.run_in_executor(None, barrier.wait)  # the server's figures are reset: go
    cpu0 = time.process_time()
    rngs = [random.Random(f"{share.seed}:{ex}:{seat}") for ex, seat, _code in share.teams]
    await asyncio.gather(
        *(play_seat(team, share.think, rng) for team, rng in zip(teams, rngs, strict=True))
    )
    share.cpu = time.process_time() - cpu0
    await loop.run_in_executor(None, barrier.wait)  # everyone has finished
    await loop.run_in_executor(None, barrier.wait)  # the server's figures are read
    await asyncio.gather(*(c.close() for c in flat))
    share.latencies = [x for c in flat for x in c.latencies]
    share.sent = sum(c.sent for c in flat)
    return share


def client_process(share: Share, barrier: Barrier, out: Any) -> None:
    out.put(asyncio.run(play_share(share, barrier)))


def callgrind_control(pid: int, option: str) -> None:
    subprocess.run(["callgrind_control", option, str(pid)], capture_output=True, check=True)


def dumped_instructions(tmp: Path) -> int:
    """The instructions in callgrind's dumps (counted only while the seats played)."""
    total = 0
    for _ in range(100):
        for dump in tmp.glob("cg*"):
            for line in dump.read_text(errors="replace").splitlines():
                if line.startswith(("summary:", "totals:")):
                    total = max(total, int(line.split()[1]))
        if total:
            return total
        time.sleep(0.1)
    return total


def quantiles(xs: list[float]) -> str:
    if not xs:
        return "none"
    xs = sorted(xs)
    p50 = xs[len(xs) // 2] * 1000
    p99 = xs[min(len(xs) - 1, int(len(xs) * 0.99))] * 1000
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {xs[-1] * 1000:.1f} ms"


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
    ap.add_argument("--exercises", default="5,50", help="Comma-separated sizes to run.")
    ap.add_argument(
        "--think",
        default="0,2",
        help="Comma-separated mean think times in seconds (0: flood; T: paced, uniform [0, 2T] "
        "before each frame).",
    )
    ap.add_argument("--client-procs", type=int, default=3, help="Client worker processes.")
    ap.add_argument("--rounds", type=int, help="Shorter exercises (serve --rounds N).")
    ap.add_argument("--seed", type=int, default=1, help="Seeds the think times.")
    ap.add_argument("--per-seat", type=int, default=2)
    ap.add_argument("--scenario", default="korea-instability-2012")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the server into FILE (and print)")
    ap.add_argument(
        "--callgrind",
        action="store_true",
        help="Run the server under callgrind, counting its instructions while the seats play "
        "(a CPU figure that other load on the machine does not disturb; slow).",
    )
    ap.add_argument("--no-close-cost", action="store_true", help="Skip the in-process figure.")
    args = ap.parse_args()
    if not args.no_close_cost:
        round_close_cost(args.scenario, args.per_seat)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    for think in (float(x) for x in args.think.split(",")):
        for size in (int(x) for x in args.exercises.split(",")):
            run_size(args, size, think)


def run_size(args: argparse.Namespace, exercises: int, think: float) -> None:
    ctx = mp.get_context("spawn")  # a fresh interpreter: no loop or sockets inherited
    with tempfile.TemporaryDirectory() as tmpdir:
        proc, codes = start_server(
            Path(tmpdir), args.scenario, exercises, args.rounds, args.profile, args.callgrind
        )
        url = codes["url"]
        teams = [
            (i, role, code)
            for i, ex in enumerate(codes.get("exercises") or [codes])
            for role, code in ex["codes"].items()
            if role not in ("control", "observer")
        ]
        nprocs = max(1, min(args.client_procs, len(teams)))
        shares = [
            Share(url, teams[k::nprocs], args.per_seat, think, args.seed) for k in range(nprocs)
        ]
        barrier = ctx.Barrier(nprocs + 1)
        out = ctx.Queue()
        workers = [
            ctx.Process(target=client_process, args=(sh, barrier, out), daemon=True)
            for sh in shares
        ]
        server = psutil.Process(proc.pid)
        try:
            for w in workers:
                w.start()
            barrier.wait(timeout=1800)
            server_stats(url, reset=True)
            if args.callgrind:
                callgrind_control(proc.pid, "--instr=on")
            cpu0 = server.cpu_times()
            barrier.wait(timeout=60)
            t0 = time.perf_counter()
            barrier.wait(timeout=3600)
            elapsed = time.perf_counter() - t0
            cpu1 = server.cpu_times()
            if args.callgrind:
                callgrind_control(proc.pid, "--instr=off")
            stats = server_stats(url)
            barrier.wait(timeout=60)
            done: list[Share] = [out.get(timeout=120) for _ in workers]
            for w in workers:
                w.join(timeout=30)
        finally:
            for w in workers:
                if w.is_alive():
                    w.kill()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=600)
        # callgrind writes its counts as the server exits (counting stopped with the play).
        instructions = dumped_instructions(Path(tmpdir)) if args.callgrind else 0
    if args.profile:
        import pstats

        pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
    latencies = [x for sh in done for x in sh.latencies]
    sent = sum(sh.sent for sh in done)
    busy = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    acks = stats["acks"]
    batches = max(1, stats["batches"])
    mode = "flood" if think == 0 else f"paced, think {think:g} s"
    conns = len(teams) * args.per_seat
    print(
        f"{exercises} exercises ({mode}), {conns} connections, {nprocs} client processes, "
        f"{elapsed:.1f} s: offered {sent / elapsed:.0f} frames/s, acknowledged "
        f"{len(latencies) / elapsed:.0f}/s ({len(latencies)} frames)\n"
        f"  ack latency, clients: {quantiles(latencies)}\n"
        f"  ack latency, server (read -> ack written): {quantiles(acks)}\n"
        f"  server CPU {busy:.1f} s (system {cpu1.system - cpu0.system:.1f} s; "
        f"{busy / elapsed:.0%} of one core), "
        f"{busy / max(1, len(latencies)) * 1000:.2f} ms per acknowledged frame; "
        f"{batches} commits ({stats['frames'] / batches:.1f} frames each, largest "
        f"{stats['largest_batch']}, {stats['commit_s'] / batches * 1000:.1f} ms each of "
        f"which COMMIT itself {stats.get('fsync_s', 0.0) / batches * 1000:.1f} ms); "
        f"clients' CPU {sum(sh.cpu for sh in done):.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    if args.callgrind:
        print(
            f"  server instructions while the seats played (callgrind): {instructions / 1e9:.2f} "
            f"G, {instructions / max(1, len(latencies)) / 1e6:.2f} M per acknowledged frame"
        )


if __name__ == "__main__":
    main()
