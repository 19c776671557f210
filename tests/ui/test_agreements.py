"""Agreements in force on every party's screen, and breaches flagged before anything is submitted
(on the seat, in the composer, and in control's adjudication preview)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sim.engine.session import Session
from sim.models import Orders
from tests.tuikit import four, press, run_async, screen_name, screen_text
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice
from ui.tui.options import move_options
from ui.tui.screens.seat import SeatScreen

WORLD = four("clock: {start: '2012-11-13 08:00', round_hours: 6, rounds: 6}")
TEST_BOMB = {"moves": [{"move": "test_bomb"}]}


def orders(data: dict[str, Any]) -> Orders:
    return Orders.model_validate(data)


def agreed_ban() -> Session:
    """a and b (human; c and d computer) agree in rounds 1-2 to hold no nuclear test for 12h
    (from hour 6, when the agreement is made, to hour 18)."""
    s = Session(WORLD, 3, {"a": "human", "b": "human"})
    proposal = {
        "title": "Test ban",
        "terms": {"commitments": [{"forbid": ["nuclear_test"], "hours": 12}]},
    }
    s.submit("a", orders({"messages": [{"to": ["b"], "text": "ban?", "proposal": proposal}]}))
    s.close_round()
    (pid,) = [p.id for p in s.view("b").awaiting_answer]
    s.submit("b", orders({"answers": [{"proposal": pid, "accept": True}]}))
    s.close_round()
    assert [a.title for a in s.view("a").agreements] == ["Test ban"]
    return s


def test_session_warns_of_a_breach_without_refusing_it() -> None:
    """A move an agreement forbids is legal (``check`` passes) but ``warnings`` names the
    agreement; the view's option says so too; a non-party is not warned."""
    s = agreed_ban()
    assert s.check("a", orders(TEST_BOMB)) == []
    (warning,) = s.warnings("a", orders(TEST_BOMB))
    assert "'test_bomb' would breach agreement 'Test ban'" in warning and "with b" in warning
    assert s.warnings("a", orders({"moves": [{"move": "calm"}]})) == []
    assert s.warnings("c", orders(TEST_BOMB)) == []  # c promised nothing
    (bomb,) = [m for m in move_options(WORLD, s.view("a")) if m.id == "test_bomb"]
    assert bomb.breaks and bomb.targets[0].breaks == ("Test ban",)


def test_warnings_stop_when_the_commitment_lapses() -> None:
    """The promise binds until hour 18 (round 4 still); at round 5 (hour 24) it is over."""
    s = agreed_ban()
    s.close_round()
    assert s.warnings("a", orders(TEST_BOMB)) != []
    s.close_round()
    assert s.view(None).t == 24
    assert s.warnings("a", orders(TEST_BOMB)) == []


async def seat_text(pilot: Pilot[Any], *keys: str) -> str:
    """From a privacy screen into the seat, then the keys; the text of the screen shown."""
    assert screen_name(pilot.app) == "PrivacyScreen"
    await press(pilot, "enter")
    assert screen_name(pilot.app) == "SeatScreen"
    await press(pilot, *keys)
    return screen_text(pilot.app.screen)


@run_async
async def test_every_party_sees_the_agreement_and_a_breach_is_flagged_before_submitting() -> None:
    """a's and b's seats list the agreement; a's composer marks the test as a breach; the
    draft and the confirmation warn; control's preview marks the ruling."""
    s = agreed_ban()
    app = SitroomApp([ScenarioChoice.of(WORLD)], session=s)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = await seat_text(pilot, "m")
        assert "Test ban (A, B): all parties: no nuclear test until" in screen_text(
            app.screen_stack[-2]
        )
        await pilot.press(*"bomb")
        await press(pilot)
        text = screen_text(app.screen)
        assert "⚠ would breach: Test ban" in text
        await press(pilot, "enter")  # the move needs no target: added to the draft
        seat = app.screen
        assert isinstance(seat, SeatScreen) and len(seat.draft.moves) == 1
        text = screen_text(seat)
        assert "⚠ 'test_bomb' would breach agreement 'Test ban'" in text
        await press(pilot, "s")
        assert screen_name(app) == "ConfirmDialog"
        assert "would breach agreement 'Test ban'" in screen_text(app.screen)
        await press(pilot, "enter")  # submitted anyway: breaking a promise is a choice
        assert s.submitted("a") is not None
        text = await seat_text(pilot, "3")  # b's turn: the agreement in its messages tab
        assert "Agreements in force" in text and "Test ban (A, B)" in text
        await press(pilot, "s", "enter")
        await press(pilot, "enter")
        assert screen_name(app) == "ControlScreen"
        text = screen_text(app.screen)
        assert "⚠ breach" in text
        assert "⚠ A: 'test_bomb' would breach agreement 'Test ban'" in text
