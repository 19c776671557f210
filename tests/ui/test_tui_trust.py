"""Pilot tests of issue 19: a TUI a facilitator trusts in front of a class.

Each test drives the real app on a tiny in-memory world (tests/worlds.py) with Textual's Pilot.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sim.engine.events import Ended
from tests.tuikit import four, make_app, press, run_async, screen_name, screen_text, settle
from ui.tui.app import SitroomApp

CALM = ("m", "down", "enter")
PROVOKE = ("m", "down", "down", "enter")
TEST_BOMB = ("m", *["down"] * 6, "enter")
EARLY = """
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 4}
end_conditions:
  - {id: war, title: Nuclear crisis, when: "tension >= 60", immediate: true}
  - {id: done, title: Done, when: "true"}
"""


def session(app: SitroomApp) -> Any:
    assert app.game is not None
    return app.game.session


async def seat_turn(pilot: Pilot[Any], *keys: str) -> None:
    """Privacy screen (and results, if any) -> seat screen -> keys -> submit and confirm."""
    assert screen_name(pilot.app) == "PrivacyScreen"
    await press(pilot, "enter")
    if screen_name(pilot.app) == "ResultsScreen":
        await press(pilot, "enter")
    assert screen_name(pilot.app) == "SeatScreen"
    await press(pilot, *keys, "s", "enter")


@run_async
async def test_a_full_exercise_ending_early_warns_control_and_ends_with_every_seats_results() -> (
    None
):
    """Tension 50, a bomb test adds 20 and a nuclear crisis ends the exercise at 60: control is
    warned (and of which end) before closing round 1; a's bomb and b's provocation in round 2
    end it two rounds early; every seat reads its round-2 results (control's ad hoc inject to a
    included, no trace of control's pause) before the debrief names the end."""
    app = make_app(four(EARLY), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+s")
        await seat_turn(pilot, *CALM)
        await seat_turn(pilot, *CALM)
        await press(pilot, "enter")
        assert screen_name(app) == "ControlScreen"
        text = screen_text(app.screen)
        assert "One step from the end “Nuclear crisis”" in text
        assert "A: Test a bomb" in text
        await press(pilot, "c")
        assert "Nuclear crisis" in screen_text(app.screen)  # the close dialog repeats it
        await press(pilot, "enter", "enter")  # close, control's results
        await seat_turn(pilot, *TEST_BOMB)
        await seat_turn(pilot, *PROVOKE)
        await press(pilot, "enter")
        assert screen_name(app) == "ControlScreen"
        await press(pilot, "p", "p", "i")
        await pilot.press(*"Reactor alarm")
        await press(pilot, "tab")
        await pilot.press(*"Sensors tripped")
        await press(pilot, "tab", "space", "ctrl+s")  # audience: a only
        await press(pilot, "c", "enter")
        assert screen_name(app) == "ResultsScreen"  # control first
        assert "Reactor alarm" in screen_text(app.screen)
        await press(pilot, "enter")
        for team in ("A", "B"):
            assert screen_name(app) == "PrivacyScreen"
            assert f"{team} team" in screen_text(app.screen)
            await press(pilot, "enter")
            assert screen_name(app) == "ResultsScreen"
            text = screen_text(app.screen)
            assert "round 2" in text and "Nuclear crisis" in text
            assert ("Reactor alarm" in text) == (team == "A")
            assert "control:" not in text and "pause" not in text
            await press(pilot, "enter")
        assert screen_name(app) == "DebriefScreen"
        assert "Nuclear crisis" in screen_text(app.screen)
    ended = next(e for e in session(app).log if isinstance(e, Ended))
    assert (ended.outcome, ended.round, ended.reason) == ("war", 2, "condition")
