"""How fast `sitroom play` feels: time to the first interactive screen, and screen updates
after a round closes.

    python benchmarks/bench_tui.py [SCENARIO] [--rounds N]

1. *Startup under a pty*: the real command in a pseudo-terminal (80x24), from process start to
   the first frame of the setup screen, and to the scenario's briefing (loaded in a worker).
2. *Startup in process*: importing the app and running it headless until the setup screen is
   mounted (no terminal I/O).
3. *Round close*: a hotseat game (two humans passing, the rest computer) played headless;
   for each round, the time from confirming "close round" until the results screen has
   painted, and from leaving a seat's results until its orders screen has painted.

4. *Screens as the log grows*: the cost of redrawing the control screen and a seat screen after a
   round closes, part by part (views, the log kept and windowed to its last rounds and laid out
   by its widget, indicators, ladder), near round 8 and near round 1,000 of a long
   computer-played game, beside describing the whole log again. Views (``Feed``) and logs
   (``Timeline``) are incremental: the cost must not grow with the log (issue 18).

Targets (issue 6): first interactive screen < 1 s; screen update after a round closes < 100 ms;
(issue 18) first interactive screen < 0.6 s, per-screen view cost flat from round 8 to 1,000.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process so far (Linux ``/proc``; 10 ms ticks)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    # Fields after the command name (which may hold spaces) start at the state, field 3.
    rest = stat.rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")


class Startup(NamedTuple):
    """Wall seconds (and the child's CPU seconds by then) to the setup screen and the briefing."""

    first: float
    first_cpu: float
    briefing: float | None
    briefing_cpu: float | None


def pty_startup(scenario: str | None, timeout: float = 20.0) -> Startup:
    """Seconds from spawning `sitroom play` to the setup screen, and to the briefing.

    The CPU times are read from ``/proc`` when each frame is seen: on a shared machine they
    move much less than wall times (which include waiting for a core)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # Bytecode caches as a user has them (this environment may turn them off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "play", *([scenario] if scenario else [])],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    first = briefing = None
    first_cpu = briefing_cpu = None
    try:
        while time.perf_counter() - t0 < timeout and briefing is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
            if first is None and b"Start exercise" in seen:
                first = time.perf_counter() - t0
                first_cpu = cpu_seconds(proc.pid)
            # The preview replaces "Loading the scenario" with the briefing (or a load error);
            # its "Actors:" line is only there once the scenario has loaded.
            if first is not None and (b"Actors:" in seen or b"Could not load" in seen):
                briefing = time.perf_counter() - t0
                briefing_cpu = cpu_seconds(proc.pid)
    finally:
        os.write(master, b"\x11")  # ctrl+q
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.close(master)
    if first is None:
        raise SystemExit(
            f"the setup screen did not appear within {timeout:g}s:\n"
            f"{seen[-2000:].decode(errors='replace')}"
        )
    assert first_cpu is not None
    return Startup(first, first_cpu, briefing, briefing_cpu)


def inprocess_startup() -> float:
    """Seconds from importing the app to the setup screen being mounted, headless."""
    t0 = time.perf_counter()
    from ui.tui.app import SitroomApp
    from ui.tui.catalog import ScenarioChoice

    async def run() -> float:
        app = SitroomApp([ScenarioChoice("x", "x", lambda: (_ for _ in ()).throw(OSError()))])
        async with app.run_test(size=(80, 24)) as pilot:
            while type(app.screen).__name__ != "SetupScreen":
                await pilot.pause()
            return time.perf_counter() - t0

    return asyncio.run(run())


def load_world(scenario: str | None) -> tuple[Any, str]:
    """The scenario to play: the named/default one if it loads, else the test world."""
    try:
        from sim.authoring.library import DEFAULT_SCENARIO
        from sim.authoring.loader import load_scenario

        ref = scenario or DEFAULT_SCENARIO
        return load_scenario(ref), ref
    except Exception as exc:  # the bundled content may not be complete yet
        from tests.worlds import world

        print(
            f"  (could not load {scenario or 'the default scenario'}: "
            f"{str(exc).splitlines()[0][:70]}; using the test world)"
        )
        data = (
            "actors: [{id: a}, {id: b}, {id: c}, {id: d}]\nclock: {start: x, "
            "round_hours: 6, rounds: 8}"
        )
        return world(data), "mini"


def round_updates(
    scenario: str | None, rounds: int
) -> tuple[list[float], list[float], list[float], str]:
    """Per round, in ms: close -> results displayed; results -> orders displayed; engine alone.

    Times are taken inside the app, from a key's handler to the first frame of the next screen
    handed to the (headless) driver, not around Pilot calls, which add their own idle waits.
    Tabs that are not shown first mount just after that frame.
    """
    from textual.app import App

    from tests.tuikit import press, settle
    from ui.tui.app import SitroomApp
    from ui.tui.catalog import ScenarioChoice
    from ui.tui.game import Game
    from ui.tui.screens.results import ResultsScreen
    from ui.tui.screens.seat import SeatScreen

    w, ref = load_world(scenario)
    humans = list(w.actors[:2])
    app = SitroomApp([ScenarioChoice.of(w, ref)], seats=dict.fromkeys(humans, "human"), seed=1)
    closes: list[float] = []
    turns: list[float] = []
    engine: list[float] = []
    mark: dict[str, float] = {}

    original_close = Game.close_round
    original_done = ResultsScreen.action_done

    def timed_close(self: Game) -> None:
        mark["close"] = time.perf_counter()
        original_close(self)
        engine.append((time.perf_counter() - mark["close"]) * 1000)

    def timed_done(self: ResultsScreen) -> None:
        mark["done"] = time.perf_counter()
        original_done(self)

    original_display = App._display

    def displayed(self: App[Any], screen: Any, renderable: Any) -> None:
        now = time.perf_counter()
        if isinstance(screen, ResultsScreen) and "close" in mark:
            closes.append((now - mark.pop("close")) * 1000)
        elif isinstance(screen, SeatScreen) and "done" in mark:
            turns.append((now - mark.pop("done")) * 1000)
        original_display(self, screen, renderable)

    Game.close_round = timed_close  # type: ignore[method-assign]
    ResultsScreen.action_done = timed_done  # type: ignore[method-assign]
    App._display = displayed  # type: ignore[method-assign]

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+s")
            for r in range(rounds):
                for _ in humans:
                    await press(pilot, "enter")  # privacy -> results (or orders in round 1)
                    if r:
                        await press(pilot, "enter")  # results -> orders
                    await press(pilot, "s", "enter")
                await press(pilot, "enter", "c", "enter")  # control, close, confirm
                assert type(app.screen).__name__ == "ResultsScreen"
                await press(pilot, "enter")
                if type(app.screen).__name__ == "DebriefScreen":
                    break

    asyncio.run(run())
    return closes, turns, engine, ref


Costs = dict[str, float]


def screen_costs(scenario: str | None, late: int = 1000) -> list[tuple[int, int, Costs]]:
    """(round, log events, CPU ms per part) of redrawing the control screen and a seat screen after
    a round closes, near round 8 and near round ``late`` of one long computer-played game.

    As in play, the feeds and the kept folds are brought up to date after every round (the
    screens are redrawn after every round); each figure is the mean of the full redraws after
    three rounds. The control screen
    takes the control view three times per redraw (status, indicators, ladder, log); a seat
    screen its seat's view once. ``whole`` is describing the whole control feed again (what
    the log cost before it was kept), measured once. CPU time of this process, not wall time:
    on a loaded machine the wall clock mostly measures the other processes.
    """
    from sim.authoring.loader import bundled_catalogues
    from sim.engine.build import build
    from sim.engine.session import Session
    from ui.tui.history import feed_ladder
    from ui.tui.text import feed_timeline, recent_entries, timeline
    from ui.tui.widgets.indicators import feed_rows
    from ui.tui.widgets.ladder import ladder_markup
    from ui.tui.widgets.timeline import layout

    w, _ = load_world(scenario)
    sc = w.scenario
    ends = [e.model_copy(update={"immediate": False}) for e in sc.end_conditions]
    patched = sc.model_copy(
        update={"clock": sc.clock.model_copy(update={"rounds": late + 1}), "end_conditions": ends}
    )
    profiles = {m.profile.id: m.profile for m in w.models.values()}
    long, problems = build(patched, profiles, bundled_catalogues())
    assert long is not None, problems
    session = Session(long, 1)
    actor = long.actors[0]

    def keep_up() -> None:
        """What every redraw leaves behind for the next: the feeds, the kept folds and the laid-out
        log entries."""
        view = session.view(None)
        layout(recent_entries(feed_timeline(long, view.events, None, rounds=True)), 60)
        feed_rows(long, None, view.events)
        feed_ladder(long, view.events, view.rounds)
        seat = session.view(actor)
        layout(recent_entries(feed_timeline(long, seat.events, actor, rounds=True)), 60)
        feed_rows(long, actor, seat.events)

    def redraw(costs: Costs) -> None:
        def part(name: str, t: float) -> float:
            now = time.process_time()
            costs[name] = costs.get(name, 0.0) + (now - t) * 1000
            return now

        t = time.process_time()
        for _ in range(3):
            view = session.view(None)
        t = part("control views", t)
        entries = recent_entries(feed_timeline(long, view.events, None, rounds=True))
        t = part("control log (kept, last rounds)", t)
        layout(entries, 60)
        t = part("control log laid out (widget)", t)
        feed_rows(long, None, view.events)
        t = part("control indicators", t)
        ladder_markup(long, feed_ladder(long, view.events, view.rounds), view.round)
        t = part("control ladder", t)
        seat = session.view(actor)
        t = part("seat view", t)
        layout(recent_entries(feed_timeline(long, seat.events, actor, rounds=True)), 60)
        t = part("seat log (kept, laid out)", t)
        feed_rows(long, actor, seat.events)
        part("seat indicators", t)

    out = []
    for mark in (8, late):
        while session.round < mark - 2 and not session.over:
            session.close_round()
            keep_up()
        costs: Costs = {}
        for _ in range(3):
            session.close_round()
            redraw(costs)
        costs = {k: v / 3 for k, v in costs.items()}
        events = session.view(None).events
        t = time.process_time()
        timeline(long, events, None, rounds=True)
        costs["whole"] = (time.process_time() - t) * 1000
        out.append((session.round - 1, len(session.log), costs))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--repeat", type=int, default=3, help="start-ups under the pty (best of; first untimed)"
    )
    parser.add_argument("--startup-only", action="store_true", help="section 1 only")
    args = parser.parse_args()

    print(f"sitroom play: startup (best of {args.repeat}; the child's CPU time at that frame)")
    pty_startup(args.scenario)  # bytecode and world caches as a second start finds them
    runs = [pty_startup(args.scenario) for _ in range(args.repeat)]
    first = min(r.first for r in runs)
    first_cpu = min(r.first_cpu for r in runs)
    print(
        f"  pty, process start -> setup screen     {first * 1000:7.0f} ms wall, "
        f"{first_cpu * 1000:4.0f} ms CPU  (target < 600)"
    )
    shown = [r for r in runs if r.briefing is not None and r.briefing_cpu is not None]
    if shown:
        briefing = min(r.briefing for r in shown if r.briefing is not None)
        briefing_cpu = min(r.briefing_cpu for r in shown if r.briefing_cpu is not None)
        print(
            f"  pty, process start -> briefing shown   {briefing * 1000:7.0f} ms wall, "
            f"{briefing_cpu * 1000:4.0f} ms CPU"
        )
    print(f"  in process, import -> setup mounted    {inprocess_startup() * 1000:7.0f} ms")
    if args.startup_only:
        return
    closes, turns, engine, ref = round_updates(args.scenario, args.rounds)
    print(f"round updates ({ref}, {len(closes)} rounds, 2 human seats, headless 80x24)")
    for label, data in (
        ("close round -> results displayed", closes),
        ("  of which the engine (close_round)", engine),
        ("results -> orders screen displayed", turns),
    ):
        print(f"  {label:<36} median {statistics.median(data):6.1f} ms, max {max(data):6.1f} ms")
    print("  (target: screens updated < 100 ms after a round closes)")
    print("redrawing a screen after a round, as the log grows (one long computer-played game)")
    costs = screen_costs(args.scenario)
    (r8, n8, early), (rl, nl, late) = costs
    head = f"  {'CPU ms per redraw':<36} {f'round {r8} ({n8} ev)':>20}"
    print(f"{head} {f'round {rl} ({nl} ev)':>22}")
    for name in early:
        if name != "whole":
            print(f"  {name:<36} {early[name]:20.2f} {late[name]:22.2f}")
    total = {
        c: sum(v for k, v in d.items() if k != "whole") for c, d in (("e", early), ("l", late))
    }
    print(f"  {'all of the above':<36} {total['e']:20.2f} {total['l']:22.2f}")
    print(
        f"  (describing the whole control feed again, as the log did before: "
        f"{early['whole']:.1f} ms at round {r8}, {late['whole']:.1f} ms at round {rl})"
    )
    print("  (target, issue 18: the cost of drawing a screen does not grow with the log)")


if __name__ == "__main__":
    main()
