"""Pilot tests of the joined control and seat screens' preview, override, locked moves and
debrief, against a real `sitroom serve` on 127.0.0.1."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sim.engine.inputs import Close
from sim.models import Orders
from sim.models.script import MoveOrder
from tests.net.served import Served, exported, free_port, serve
from tests.net.served import until as served_until
from tests.net.test_control import SEATS, scenario
from tests.tuikit import screen_name, screen_text
from tests.ui.test_join_tui import keys, until
from ui.net.client import Connection
from ui.tui.remote import JoinApp
from ui.tui.screens.seat import SeatScreen


def test_joined_control_previews_overrides_and_debriefs(tmp_path: Path) -> None:
    """The networked control screen shows the hotseat preview table (roll, chance); o forces
    an outcome, marked ✎ once the server has it; at the end control's debrief shows the
    ending and the objectives measured by the server."""
    srv = serve(tmp_path, scenario(tmp_path), *SEATS)

    async def play() -> None:
        app = JoinApp(srv.url, srv.codes["control"])
        async with (
            app.run_test(size=(120, 40)) as pilot,
            Connection(srv.url, srv.codes["alpha"]) as alpha,
        ):
            await until(pilot, lambda: screen_name(app) == "RemoteControlScreen")
            await alpha.submit(Orders(moves=[MoveOrder(move="talk")]))
            await until(pilot, lambda: "Talks" in screen_text(app.screen))
            text = screen_text(app.screen)
            assert "50%" in text and "roll" in text
            await keys(pilot, "o")
            await until(pilot, lambda: screen_name(app) == "OverrideDialog")
            await keys(pilot, "enter")
            await pilot.press(*"umpire")
            await keys(pilot, "enter")
            await until(pilot, lambda: "✎ umpire" in screen_text(app.screen))
            assert "overridden by control" in screen_text(app.screen)
            conn = app.conn
            assert conn is not None
            for r in (1, 2, 3):
                await conn.input(Close(), round=r)
            await until(pilot, lambda: screen_name(app) in ("ResultsScreen", "DebriefScreen"))
            while screen_name(app) == "ResultsScreen":
                await keys(pilot, "enter")
            await until(pilot, lambda: screen_name(app) == "DebriefScreen")
            await until(pilot, lambda: "Keep tension below 90" in screen_text(app.screen))
            text = screen_text(app.screen)
            assert "Calm" in text and "✓" in text
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(play(), 90))
    finally:
        srv.stop()


def test_joined_seat_lists_its_locked_moves_and_debriefs_from_its_own_view(
    tmp_path: Path,
) -> None:
    """The seat's composer lists Strike greyed with the condition the server worded; at the
    end the seat's debrief is its own view (no objectives), with the events `export --as`
    gives it."""
    srv = serve(tmp_path, scenario(tmp_path), *SEATS)

    async def play() -> None:
        app = JoinApp(srv.url, srv.codes["alpha"])
        async with app.run_test(size=(110, 36)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            await keys(pilot, "m")
            await until(pilot, lambda: screen_name(app) == "MoveComposer")
            assert "Strike 🔒" in screen_text(app.screen)
            await keys(pilot, "down")
            assert "Possible when Tension at least 70 and not talks" in screen_text(app.screen)
            await keys(pilot, "escape")
            async with Connection(srv.url, srv.codes["control"]) as control:
                for r in (1, 2, 3):
                    await control.input(Close(), round=r)
                await served_until(lambda: control.over, control)
            await until(pilot, lambda: screen_name(app) in ("ResultsScreen", "DebriefScreen"))
            while screen_name(app) == "ResultsScreen":
                await keys(pilot, "enter")
            await until(pilot, lambda: screen_name(app) == "DebriefScreen")
            text = screen_text(app.screen)
            assert "Calm" in text and "Keep tension" not in text
            conn = app.conn
            assert conn is not None
            assert conn.events == exported(srv.archive, srv.session, "alpha")
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(play(), 90))
    finally:
        srv.stop()


def told(app: JoinApp) -> str:
    """The app's notifications (toasts) so far."""
    return "\n".join(n.message for n in app._notifications)


async def draft_talks_then_kill(pilot: Pilot[Any], app: JoinApp, srv: Served) -> None:
    """On the seat screen, draft Talks; once the server has the draft, kill -9 the server and
    wait until the seat says it is reconnecting."""
    await until(pilot, lambda: isinstance(app.screen, SeatScreen))
    await keys(pilot, "m")
    await until(pilot, lambda: screen_name(app) == "MoveComposer")
    await pilot.press(*"talks")
    await keys(pilot, "enter")
    await until(pilot, lambda: "Move: Talks" in screen_text(app.screen))
    await pilot.pause(0.5)  # the draft reaches the server
    srv.stop(signal.SIGKILL)
    await until(pilot, lambda: "reconnecting" in told(app))


def test_a_joined_seat_says_when_the_server_is_lost_and_back(tmp_path: Path) -> None:
    """kill -9 of the server: the seat screen says it is reconnecting; after `serve --resume`
    on the same port it says it is back, with the team's draft as it was."""
    port = free_port()
    srv = serve(tmp_path, scenario(tmp_path), *SEATS, port=port)
    resumed = None

    async def play() -> None:
        nonlocal resumed
        app = JoinApp(srv.url, srv.codes["alpha"])
        async with app.run_test(size=(110, 36)) as pilot:
            await draft_talks_then_kill(pilot, app, srv)
            resumed = serve(tmp_path, "--resume", srv.session, port=port)
            await until(pilot, lambda: "Reconnected" in told(app), timeout=30)
            assert "Move: Talks" in screen_text(app.screen)
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(play(), 90))
    finally:
        srv.stop()
        if resumed is not None:
            resumed.stop()


def test_orders_submitted_while_the_server_is_down_are_kept_then_acknowledged(
    tmp_path: Path,
) -> None:
    """Submitting while the server is down does not say "sent": the seat is told its orders
    are kept; after `serve --resume` the client sends them again, and only the server's
    acknowledgement says the server has them (it then shows the seat as submitted)."""
    port = free_port()
    srv = serve(tmp_path, scenario(tmp_path), *SEATS, port=port)
    resumed = None

    async def play() -> None:
        nonlocal resumed
        app = JoinApp(srv.url, srv.codes["alpha"])
        async with app.run_test(size=(110, 36)) as pilot:
            await draft_talks_then_kill(pilot, app, srv)
            await keys(pilot, "s")
            await until(pilot, lambda: screen_name(app) == "ConfirmDialog")
            await keys(pilot, "enter")
            await until(pilot, lambda: "Orders kept" in told(app))
            assert "server has your orders" not in told(app)
            resumed = serve(tmp_path, "--resume", srv.session, port=port)
            await until(pilot, lambda: "server has your orders" in told(app), timeout=30)
            await until(pilot, lambda: screen_name(app) == "WaitScreen")
            async with Connection(resumed.url, resumed.codes["control"]) as control:
                await served_until(lambda: control.presence is not None, control)
                assert control.presence is not None
                assert control.presence.seats["alpha"].submitted
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(play(), 90))
    finally:
        srv.stop()
        if resumed is not None:
            resumed.stop()
