"""Pilot tests of `sitroom join URL` (the Textual seat over the network) against a real
`sitroom serve` process on 127.0.0.1; control and teammates are real WebSocket clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sim.engine.inputs import Close
from sim.models import Orders
from sim.models.script import MessageOrder, MoveOrder
from tests.net.served import MINI, serve
from tests.net.served import until as served_until
from tests.tuikit import screen_name, screen_text
from ui.net.client import Connection
from ui.tui.remote import JoinApp, WaitScreen
from ui.tui.screens.seat import SeatScreen

SEATS = ("--seat", "alpha=human", "--seat", "beta=human", "--round-minutes", "30")
PROPOSAL = MessageOrder.model_validate(
    {
        "to": ["alpha"],
        "text": "Shall we calm things down?",
        "proposal": {"title": "Calm", "terms": {"effects": [{"change": "tension", "by": -5}]}},
    }
)


async def until(pilot: Pilot[Any], ok: Callable[[], bool], timeout: float = 15) -> None:
    """Let the app run until ``ok()`` holds (bounded)."""
    give_up = time.monotonic() + timeout
    while not ok():
        if time.monotonic() > give_up:
            raise AssertionError(f"not reached; screen {screen_name(pilot.app)}")
        await pilot.pause(0.05)


async def keys(pilot: Pilot[Any], *pressed: str) -> None:
    for key in pressed:
        await pilot.press(key)
        await pilot.pause(0.05)


def test_a_joined_seat_writes_submits_and_reads_its_results(tmp_path: Path) -> None:
    """The code typed on the first screen joins alpha; its orders are a server draft a
    teammate sees; a proposal sent by beta mid-round is answerable at once; after submitting
    and control closing the round, the seat reads its results and the next round opens."""
    srv = serve(tmp_path, MINI, *SEATS)

    async def scenario() -> None:
        app = JoinApp(srv.url)
        async with app.run_test(size=(110, 36)) as pilot:
            await until(pilot, lambda: screen_name(app) == "CodeScreen")
            await pilot.press(*"not-a-code", "enter")
            await until(pilot, lambda: "unknown" in screen_text(app.screen))
            field = app.screen.query_one("#code")
            field.value = srv.codes["alpha"]  # type: ignore[attr-defined]
            await keys(pilot, "enter")
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            assert "left" in str(app.screen.sub_title)  # the deadline, on the seat screen
            assert "Tension" in screen_text(app.screen)

            # Orders being written are the team's draft, on the server.
            await keys(pilot, "m")
            await until(pilot, lambda: screen_name(app) == "MoveComposer")
            await pilot.press(*"talk")
            await keys(pilot, "enter")
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            seat = app.screen
            assert isinstance(seat, SeatScreen)
            assert seat.draft.moves == [MoveOrder(move="talk")]
            async with Connection(srv.url, srv.codes["alpha"], name="laptop2") as mate:
                assert mate.draft == {"moves": [{"move": "talk"}]}

            # A proposal sent inside the round is flagged and can be answered now.
            async with Connection(srv.url, srv.codes["beta"]) as beta:
                await beta.send(PROPOSAL)
                await until(
                    pilot,
                    lambda: (
                        isinstance(app.screen, SeatScreen) and bool(app.screen.view.awaiting_answer)
                    ),
                )
                await keys(pilot, "a")
                await until(pilot, lambda: screen_name(app) == "AnswerDialog")
                await keys(pilot, "y")
                await until(
                    pilot,
                    lambda: isinstance(app.screen, SeatScreen) and bool(app.screen.draft.answers),
                )
                await keys(pilot, "s")
                await until(pilot, lambda: screen_name(app) == "ConfirmDialog")
                await keys(pilot, "enter")
                await until(pilot, lambda: isinstance(app.screen, WaitScreen))
                await beta.submit(Orders())

            async with Connection(srv.url, srv.codes["control"]) as control:
                await served_until(lambda: control.presence is not None, control)
                assert control.presence is not None
                assert control.presence.seats["alpha"].submitted
                assert control.presence.seats["alpha"].connections == 1
                await control.input(Close())

            # Until the results screen is composed, not only pushed (frames can come at once).
            def results() -> bool:
                return screen_name(app) == "ResultsScreen" and "round 1" in screen_text(app.screen)

            await until(pilot, results)
            text = screen_text(app.screen)
            assert "Calm" in text  # the agreement made within the round
            await keys(pilot, "enter")
            await until(pilot, lambda: isinstance(app.screen, SeatScreen))
            assert app.screen.view.round == 2
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(scenario(), 90))
    finally:
        srv.stop()


def test_joined_control_sees_presence_extends_and_closes(tmp_path: Path) -> None:
    """Control's screen over the network: who is connected and has submitted, the time left;
    +5 min moves the deadline; c closes the round on the server."""
    srv = serve(tmp_path, MINI, *SEATS)

    async def scenario() -> None:
        app = JoinApp(srv.url, srv.codes["control"])
        async with (
            app.run_test(size=(110, 36)) as pilot,
            Connection(srv.url, srv.codes["alpha"]) as alpha,
        ):
            await until(pilot, lambda: screen_name(app) == "RemoteControlScreen")
            await alpha.submit(Orders())
            await until(pilot, lambda: "yes" in screen_text(app.screen))
            text = screen_text(app.screen)
            assert "Alpha human 1 yes" in text or ("Alpha" in text and "yes" in text)
            conn = app.conn
            assert conn is not None
            await until(pilot, lambda: conn.deadline is not None)
            assert conn.deadline is not None and conn.deadline.remaining is not None
            before = conn.deadline.remaining
            await keys(pilot, "e")
            await until(
                pilot,
                lambda: conn.deadline is not None and (conn.deadline.remaining or 0) > before + 200,
            )
            await keys(pilot, "c")
            await until(pilot, lambda: screen_name(app) == "ConfirmDialog")
            await keys(pilot, "enter")
            await until(pilot, lambda: conn.round == 2)
            await until(pilot, lambda: screen_name(app) == "ResultsScreen")
            await app.action_quit()

    try:
        asyncio.run(asyncio.wait_for(scenario(), 90))
    finally:
        srv.stop()
