"""The round clock survives a server killed with -9: a real `sitroom serve` on 127.0.0.1, real
WebSocket clients, `serve --resume` on the same port."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from sim.engine.inputs import Pause
from sim.models import Orders
from tests.net.served import MINI, assert_replays, exported, free_port, run, serve, until
from ui.net.client import Connection
from ui.net.protocol import Extend, OnDeadline

SEATS = ("--seat", "alpha=human", "--seat", "beta=human")


def test_time_left_extension_and_choice_survive_kill_9(tmp_path: Path) -> None:
    """Control extends the deadline and has the computer play late seats; after kill -9 and
    `serve --resume` (no --round-minutes) a new control connection sees the same deadline (a
    wall time, not the round's full length again) and the same choice."""
    port = free_port()
    srv = serve(tmp_path, MINI, *SEATS, "--round-minutes", "0.5", port=port)

    async def before() -> float:
        async with Connection(srv.url, srv.codes["control"]) as control:
            await control.request(Extend(id="e1", minutes=2), "e1")
            await control.request(OnDeadline(id="d1", then="computer"), "d1")
            assert control.deadline is not None and control.deadline.ends_at is not None
            return control.deadline.ends_at

    async def after(again_url: str) -> tuple[float | None, float | None, str | None]:
        async with Connection(again_url, srv.codes["control"]) as control:
            await until(lambda: control.presence is not None, control)
            assert control.deadline is not None and control.presence is not None
            return (
                control.deadline.ends_at,
                control.deadline.remaining,
                control.presence.on_deadline,
            )

    ends_at = run(before())
    srv.stop(signal.SIGKILL)
    time.sleep(1.0)  # the deadline runs on while the server is down
    again = serve(tmp_path, "--resume", srv.session, port=port)
    try:
        resumed_at, remaining, then = run(after(again.url))
    finally:
        again.stop()
    assert resumed_at == ends_at
    # 30 s + 120 s less what has passed: well above the 30 s a restarted clock would give.
    assert remaining is not None and 60 < remaining <= 149
    assert then == "computer"


def test_a_deadline_that_passed_while_down_closes_the_round_at_resume(tmp_path: Path) -> None:
    """The deadline passes while the server is down: at resume round 1 closes as the deadline
    would have closed it (control's "computer" choice plays the late seat), and the
    --round-minutes given at resume applies to round 2 on."""
    port = free_port()
    srv = serve(tmp_path, MINI, *SEATS, "--round-minutes", "1", port=port)

    async def before() -> float:
        async with Connection(srv.url, srv.codes["control"]) as control:
            await control.request(OnDeadline(id="d1", then="computer"), "d1")
            async with Connection(srv.url, srv.codes["alpha"]) as alpha:
                await alpha.submit(Orders())
            # Only now, however slow the start was, shorten the deadline to 4 s from now.
            assert control.deadline is not None and control.deadline.remaining is not None
            await control.request(
                Extend(id="e1", minutes=(4 - control.deadline.remaining) / 60), "e1"
            )
            assert control.deadline.ends_at is not None
            assert control.deadline.remaining is not None and control.deadline.remaining < 5
            return control.deadline.ends_at

    async def after(again_url: str) -> tuple[int, float | None]:
        async with Connection(again_url, srv.codes["control"]) as control:
            await until(lambda: control.round >= 2, control, timeout=20)
            await until(lambda: control.deadline is not None, control)
            assert control.deadline is not None
            return control.round, control.deadline.remaining

    ends_at = run(before())
    srv.stop(signal.SIGKILL)
    give_up = time.monotonic() + 20
    while time.time() < ends_at + 0.5 and time.monotonic() < give_up:
        time.sleep(0.1)
    again = serve(tmp_path, "--resume", srv.session, "--round-minutes", "5", port=port)
    try:
        round_now, remaining = run(after(again.url))
    finally:
        again.stop()
    assert round_now == 2
    assert remaining is not None and 240 < remaining <= 300
    log = exported(srv.archive, srv.session)
    seats = [(e["actor"], e["seat"]) for e in log if e["type"] == "seat"]
    assert seats == [("beta", "computer"), ("beta", "human")]  # the late seat, for round 1
    assert_replays(tmp_path, srv.archive, srv.session)


def test_a_held_clock_stays_held_with_what_was_left(tmp_path: Path) -> None:
    """Control pauses with time left; after kill -9 and resume the clock is still held with
    the same time left, however long the server was down."""
    port = free_port()
    srv = serve(tmp_path, MINI, *SEATS, "--round-minutes", "1", port=port)

    async def before() -> float:
        async with Connection(srv.url, srv.codes["control"]) as control:
            await control.input(Pause())
            await until(lambda: control.deadline is not None and control.deadline.paused, control)
            assert control.deadline is not None and control.deadline.remaining is not None
            return control.deadline.remaining

    async def after(again_url: str) -> tuple[bool, float | None]:
        async with Connection(again_url, srv.codes["alpha"]) as alpha:
            assert alpha.deadline is not None
            return alpha.deadline.paused, alpha.deadline.remaining

    left = run(before())
    srv.stop(signal.SIGKILL)
    time.sleep(1.5)
    again = serve(tmp_path, "--resume", srv.session, port=port)
    try:
        paused, remaining = run(after(again.url))
    finally:
        again.stop()
    assert paused and remaining == left
