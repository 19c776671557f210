"""Pilot tests of `sitroom play`: hotseat rounds, control, fog of war on the screens."""

from __future__ import annotations

import pytest
from textual.message import Message
from textual.widgets import TabbedContent

from sim.engine.events import InjectDelivered, MoveMade, Resolved
from sim.models.script import MoveOrder
from tests.tuikit import (
    CALM,
    four,
    make_app,
    press,
    run_async,
    screen_name,
    screen_text,
    session,
    settle,
    stack_text,
    start,
    to_control,
    write_test_ban,
)
from ui.tui.screens.control import ControlScreen
from ui.tui.screens.seat import SeatScreen

SPY_ON_B = ("m", *["down"] * 5, "enter", "enter")  # the first target offered to a is b


@run_async
async def test_a_full_hotseat_round_with_two_humans_and_two_computers() -> None:
    """Two human seats submit, control closes the round, each seat then reads its results."""
    seen: list[Message] = []
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await to_control(pilot)
        preview = screen_text(app.screen)
        for name in ("Calm things", "Provoke"):
            assert name in preview
        await press(pilot, "c", "enter")
        assert screen_name(app) == "ResultsScreen"  # control's own results first
        await press(pilot, "enter")
        assert screen_name(app) == "PrivacyScreen"
        assert "A team" in screen_text(app.screen)
        await press(pilot, "enter")
        assert screen_name(app) == "ResultsScreen"
        text = screen_text(app.screen)
        assert "A: Calm things" in text and "B: Provoke" in text
        assert "round 1" in text
        await press(pilot, "enter")
        assert screen_name(app) == "SeatScreen"
    s = session(app)
    assert s.round == 2
    movers = {e.actor for e in s.log if isinstance(e, MoveMade)}
    assert movers == {"a", "b", "c", "d"}  # the computer seats decided inside the engine
    unique = list({id(m): m for m in seen}.values())  # a bubbling message is seen at each hop
    submitted = [m.actor for m in unique if isinstance(m, SeatScreen.Submitted)]
    assert submitted == ["a", "b"]
    assert any(isinstance(m, ControlScreen.Closed) for m in seen)


@run_async
async def test_control_override_changes_the_outcome() -> None:
    """Overriding a's move to 'failure' before closing makes it fail and its effect vanish."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        assert "success" in screen_text(app.screen)
        # a's move is the first preview row; the dialog offers failure first for a success.
        await press(pilot, "o")
        assert screen_name(app) == "OverrideDialog"
        await press(pilot, "enter")
        await pilot.press(*"umpire")
        await press(pilot, "enter")
        assert "umpire" in screen_text(app.screen)
        await press(pilot, "c", "enter")
        assert "Calm things (A) failed" in screen_text(app.screen)
    s = session(app)
    ruling = next(e for e in s.log if isinstance(e, Resolved) and e.mid == "m1.a.1")
    assert ruling.outcome == "failure"
    assert s.state.values["tension"] == 60  # b's provoke (+10) landed; a's calm (-5) did not


@run_async
async def test_seat_screens_never_show_another_seats_undetected_secret_move() -> None:
    """b is spied on by a and does not detect it (seed 3): b's screens never mention it."""
    app = make_app(seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot, a_keys=SPY_ON_B, b_keys=CALM)
        assert "Spy" in screen_text(app.screen)  # control sees it
        await press(pilot, "c", "enter", "enter")
        ruling = next(e for e in session(app).log if isinstance(e, Resolved) and e.mid == "m1.a.1")
        assert "b" not in ruling.detected_by and ruling.outcome == "success"
        # a's turn: a knows its own secret move.
        await press(pilot, "enter")
        assert "Spy" in screen_text(app.screen)
        await press(pilot, "enter", "s", "enter")
        # b's turn: privacy, results, the seat screen with every tab.
        b_texts = [stack_text(app)]
        await press(pilot, "enter")
        b_texts.append(stack_text(app))
        assert "unknown cause" in b_texts[-1]  # b sees its support fall, not why
        await press(pilot, "enter")
        assert screen_name(app) == "SeatScreen"
        for tab in "12345":
            await press(pilot, tab)
            b_texts.append(stack_text(app))
        await press(pilot, "m")  # b's own composer
        b_texts.append(stack_text(app))
    for text in b_texts:
        assert "Spy" not in text.replace("Spy (secret)", "")  # b's own catalogue entry
        assert "m1.a.1" not in text


@run_async
async def test_illegal_orders_show_their_problems_inline() -> None:
    """Orders the session refuses are listed under the draft; nothing is submitted."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter")
        seat = app.screen
        assert isinstance(seat, SeatScreen)
        seat.draft.moves += [
            MoveOrder(move="calm"),
            MoveOrder(move="wait"),
            MoveOrder(move="provoke"),
        ]
        await press(pilot, "s")
        assert screen_name(app) == "SeatScreen"
        assert "at most 2 move(s)" in screen_text(app.screen)
        assert session(app).submitted("a") is None


@run_async
async def test_pause_blocks_closing_and_inject_reaches_the_log() -> None:
    """Control pauses (closing is refused), types an inject, resumes and closes."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        await press(pilot, "p")
        assert "PAUSED" in screen_text(app.screen)
        await press(pilot, "c")
        assert screen_name(app) == "ControlScreen" and session(app).round == 1
        await press(pilot, "i")
        await pilot.press(*"Border clash")
        await press(pilot, "enter")
        await pilot.press(*"Shots fired")
        await press(pilot, "enter")
        await press(pilot, "p", "c", "enter")
        assert screen_name(app) == "ResultsScreen"
    injects = [e for e in session(app).log if isinstance(e, InjectDelivered)]
    assert [(e.title, e.source) for e in injects] == [("Border clash", "control")]


@run_async
async def test_the_last_round_leads_to_the_debrief() -> None:
    """After the final round closes, each seat reads its last results, then the debrief shows
    the outcome and the rationales."""
    app = make_app(four("clock: {start: '2012-11-13 08:00', round_hours: 6, rounds: 1}"))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        await press(pilot, "c", "enter", "enter")  # control reads its results
        for team in ("A", "B"):
            assert screen_name(app) == "PrivacyScreen"
            assert f"{team} team" in screen_text(app.screen)
            assert "exercise has ended" in screen_text(app.screen)
            await press(pilot, "enter")
            assert screen_name(app) == "ResultsScreen"
            assert "round 1" in screen_text(app.screen)
            await press(pilot, "enter")
        assert screen_name(app) == "DebriefScreen"
        text = screen_text(app.screen)
        assert "Done" in text  # the end condition's title
        assert "baseline" in text  # a computer rationale
        assert "Write report" not in text


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@run_async
async def test_help_and_palette_list_the_screen_keys(size: tuple[int, int]) -> None:
    """`?` lists the current screen's keys; the palette offers them as commands."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        await press(pilot, "enter", "question_mark")
        assert screen_name(app) == "HelpScreen"
        text = screen_text(app.screen)
        assert "Submit" in text and "Move" in text
        await press(pilot, "escape")
        assert screen_name(app) == "SeatScreen"
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Move", "Message", "Submit"} <= set(titles)


@run_async
async def test_quitting_a_running_exercise_asks_first() -> None:
    """Ctrl+Q during an exercise asks for confirmation; 'n' keeps playing."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "ctrl+q")
        assert screen_name(app) == "ConfirmDialog"
        await press(pilot, "n")
        assert screen_name(app) == "SeatScreen"
        assert app.is_running


@run_async
async def test_the_composer_filters_moves_as_you_type() -> None:
    """Typing in the composer narrows the list; Enter then a target picks the move."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "m")
        await pilot.press(*"insul")
        await settle(pilot)
        assert "Calm things" not in screen_text(app.screen)
        await press(pilot, "enter", "down", "enter")
        seat = app.screen
        assert isinstance(seat, SeatScreen)
        assert seat.draft.moves == [MoveOrder(move="insult", target="c")]


@run_async
async def test_number_keys_switch_tabs_wherever_the_focus_is() -> None:
    """1-4 switch the control tabs even while the preview table has the focus."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        tabs = app.screen.query_one(TabbedContent)
        for key, tab in (("2", "indicators"), ("4", "log"), ("3", "ladder"), ("1", "round")):
            await press(pilot, key)
            assert tabs.active == tab


@run_async
async def test_a_proposal_is_sent_answered_and_becomes_an_agreement() -> None:
    """a proposes a test ban to b; delivered at once (seats share the screen), b accepts it on
    its turn in the same round; the agreement is made."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "w")
        await write_test_ban(pilot)
        await press(pilot, "tab")
        await press(pilot, "space", "ctrl+s")  # the mini catalogue's one tag: nuclear_test
        assert "Test ban" in screen_text(app.screen)  # a's outbox
        await press(pilot, "s", "enter")
        await press(pilot, "enter", "3")  # b's messages in round 1
        assert "Test ban" in screen_text(app.screen)
        await press(pilot, "a", "y", "s", "enter")
        await press(pilot, "enter", "c", "enter")  # control closes round 1
    agreements = session(app).state.agreements
    assert [a.title for a in agreements.values()] == ["Test ban"]
    (commitment,) = next(iter(agreements.values())).commitments
    assert commitment.forbid == ("nuclear_test",)
