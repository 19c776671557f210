"""A shorter served game tells its seats so: the briefing each client receives over the wire
says the rounds the game plays (a real server on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

from tests.net.served import MINI, run, serve
from ui.net.client import Connection

NOTE = "This game is shorter than the scenario: it plays 2 of its 3 rounds (1 day of "


def test_a_shorter_served_game_briefs_its_seats_with_its_rounds(tmp_path: Path) -> None:
    """mini (three 12-hour rounds) served with --rounds 2: a seat's view and the observers'
    public one both open the briefing with the shorter game's rounds and span."""
    srv = serve(tmp_path, MINI, "--seat", "alpha=human", "--rounds", "2")

    async def join() -> tuple[str, str]:
        async with (
            Connection(srv.url, srv.codes["alpha"]) as alpha,
            Connection(srv.url, srv.codes["observer"]) as observer,
        ):
            assert alpha.welcome is not None and observer.welcome is not None
            return alpha.welcome.view["briefing"], observer.welcome.view["briefing"]

    try:
        seat, public = run(join())
    finally:
        srv.stop()
    assert seat.startswith(NOTE) and "Tension is rising between Alpha and Beta." in seat
    assert public.startswith(NOTE)
