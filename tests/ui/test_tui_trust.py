"""Pilot tests of issue 19: a TUI a facilitator trusts in front of a class.

Each test drives the real app on a tiny in-memory world (tests/worlds.py) with Textual's Pilot.
"""

from __future__ import annotations

from textual.widgets import TabbedContent

from sim.engine.events import Ended
from tests.tuikit import (
    CALM,
    FOUR,
    PROVOKE,
    four,
    make_app,
    press,
    run_async,
    screen_name,
    screen_text,
    seat_turn,
    session,
    settle,
    start,
    to_control,
    write_test_ban,
)
from tests.worlds import profile, world
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice

TEST_BOMB = ("m", *["down"] * 6, "enter")
EARLY = """
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 4}
end_conditions:
  - {id: war, title: Nuclear crisis, when: "tension >= 60", immediate: true}
  - {id: done, title: Done, when: "true"}
"""


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
        await start(pilot)
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


@run_async
async def test_the_override_dialog_and_table_show_roll_chance_and_a_mark() -> None:
    """The dialog states the roll against the chance; after an override the table marks the
    outcome, the line under it says who forced what and why, and reopening the dialog shows the
    dice and the earlier override, not the forced outcome as the dice's."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        await press(pilot, "o")
        assert "Roll 0.00 against a chance of 100%: the dice say success" in screen_text(app.screen)
        await press(pilot, "enter")
        await pilot.press(*"umpire")
        await press(pilot, "enter")
        text = screen_text(app.screen)
        assert "failure ✎" in text
        assert "✎ overridden by control to failure (umpire)" in text
        await press(pilot, "o")
        text = screen_text(app.screen)
        assert "the dice say success" in text and "✎ Overridden to failure (umpire)" in text
        assert "The dice say: failure" not in text


@run_async
async def test_the_control_table_stays_whole_at_80_and_100_columns() -> None:
    """Long names are cut with an ellipsis inside their own column, never a column cut off:
    every heading is whole, and the highlighted ruling is whole on the line below."""
    long = profile("a", name="Republic of the Very Long Name", short="Republic of Longname")
    w = world(FOUR, profiles={"a": long, **{x: profile(x) for x in "bcd"}})
    for width in (80, 100):
        app = make_app(w)
        async with app.run_test(size=(width, 24)) as pilot:
            await to_control(pilot)
            await press(pilot, "o", "enter")
            await pilot.press(*"Control rules it out: the facilitator's call")
            await press(pilot, "enter")
            table = app.screen.query_one("#preview")
            heads = [str(c.label) for c in table.columns.values()]  # type: ignore[attr-defined]
            assert heads == ["Actor", "Move → target", "Chance", "Roll", "Outcome", "Note"]
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= width  # type: ignore[attr-defined]
            ruling = screen_text(app.screen)
            assert "Control rules it out: the facilitator's call" in ruling
            assert "Republic of Longname: Calm things" in ruling


HUGE = " * ".join(["1000000000000000"] * 22)
UNCOMPUTABLE = f"""
clock: {{start: "day 1", round_hours: 6, rounds: 1}}
end_conditions:
  - {{id: odd, title: Odd, when: "(flags.alarm + 1) * {HUGE} * 1.5 > 0"}}
  - {{id: done, title: Done, when: "true"}}
"""


@run_async
async def test_end_warning_says_so_when_an_end_condition_cannot_be_computed() -> None:
    """In the last round, an end condition too large for a float is not a crash of control's
    screen: the warning says it cannot be computed (closing the round stops with its position)."""
    app = make_app(four(UNCOMPUTABLE))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        assert "An end condition cannot be computed" in screen_text(app.screen)


@run_async
async def test_end_warning_names_nothing_when_no_end_is_near() -> None:
    """Far from every end condition, control's screen carries no warning."""
    app = make_app(four(EARLY.replace("tension >= 60", "tension >= 95")))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        assert "One step from the end" not in screen_text(app.screen)
        assert not app.screen.query_one("#near-end").display


@run_async
async def test_players_never_see_control_pausing() -> None:
    """Control pauses and resumes; the next seat's timeline has no trace of it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await to_control(pilot)
        await press(pilot, "p", "p", "c", "enter", "enter", "enter")
        assert screen_name(app) == "ResultsScreen"
        await press(pilot, "enter", "5")
        assert screen_name(app) == "SeatScreen"
        text = screen_text(app.screen)
        assert "round 1" in text and "control:" not in text and "pause" not in text


@run_async
async def test_setup_changes_the_scenario_only_on_enter_and_shows_which_list_has_focus() -> None:
    """Down and Space while the scenario list has the focus (meant for the seats) neither change
    the scenario nor reset the seats; the focused list wears the heavy accent border; Enter
    chooses the highlighted scenario and moves on to its seats."""
    first = four()
    second = world("actors: [{id: x}, {id: y}]\ntitle: Second")
    app = SitroomApp(
        [ScenarioChoice.of(first), ScenarioChoice.of(second)], seats={"a": "human"}, seed=3
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        scenarios, seats = app.screen.query_one("#scenarios"), app.screen.query_one("#seats")
        assert scenarios.has_focus
        assert scenarios.styles.border_top[0] == "heavy"
        assert seats.styles.border_top[0] == "round"
        await press(pilot, "down", "space")
        assert "A (a)" in screen_text(app.screen) and "X (x)" not in screen_text(app.screen)
        await press(pilot, "tab")
        assert seats.has_focus and seats.styles.border_top[0] == "heavy"
        assert scenarios.styles.border_top[0] == "round"
        await press(pilot, "shift+tab", "enter")  # the second scenario, chosen
        assert app.screen.query_one("#seats").has_focus
        assert "X (x)" in screen_text(app.screen)


@run_async
async def test_a_round_clock_counts_down_in_the_header() -> None:
    """Minutes a round on setup: each seat's and control's header shows the time left."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#round-clock").focus()
        await pilot.press("1", "5")
        await press(pilot, "ctrl+s", "enter")
        assert app.game is not None and app.game.round_minutes == 15
        assert screen_name(app) == "SeatScreen"
        assert "⏱ 14:5" in str(app.screen.sub_title)  # 14:59 or 14:58 under load


@run_async
async def test_a_bad_round_clock_is_refused_with_a_reason() -> None:
    """A zero round clock is refused on the setup screen, which keeps the focus on it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#round-clock").focus()
        await pilot.press("0")
        await press(pilot, "ctrl+s")
        assert screen_name(app) == "SetupScreen"
        assert app.screen.query_one("#round-clock").has_focus


LOCKED = """
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: strike
    name: Strike
    category: military
    escalation: 8
    requires: "tension >= 70 and not flags.alarm"
    effects: [{change: tension, by: 10}]
"""


@run_async
async def test_locked_moves_are_listed_greyed_with_their_condition_in_words() -> None:
    """A move whose condition does not hold is in the composer's list (after the open ones),
    its details say what unlocks it in labels, and choosing it adds nothing."""
    app = make_app(world(FOUR, moves=LOCKED))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "m")
        moves = app.screen.query_one("#moves")
        assert moves.border_title == "esc  move"
        text = screen_text(app.screen)
        assert "Wait" in text and "Strike 🔒" in text
        await press(pilot, "down")
        text = screen_text(app.screen)
        assert "Possible when Tension at least 70 and not alarm" in text
        await press(pilot, "enter", "escape")
        assert screen_name(app) == "SeatScreen"
        assert app.screen.draft.moves == []  # type: ignore[attr-defined]


@run_async
async def test_values_are_rounded_to_the_declared_precision() -> None:
    """Tension declares no decimals and moves by 1.875: the screens say 52, never 51.875;
    a value without a declared precision shows one decimal."""
    patch = """
indicators:
  - {id: tension, label: Tension, initial: 50, precision: 0}
  - {id: stability, label: Stability, initial: 50.04321}
"""
    moves = LOCKED.replace("by: 10", "by: 1.875").replace(
        'requires: "tension >= 70 and not flags.alarm"', ""
    )
    app = make_app(world(FOUR + "\n" + patch, moves=moves))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await seat_turn(pilot, "m", "down", "enter")
        await seat_turn(pilot)
        await press(pilot, "enter", "c", "enter", "enter", "enter")
        assert screen_name(app) == "ResultsScreen"
        text = screen_text(app.screen)
        assert "Tension: 50 → 52" in text and "51.875" not in text
        await press(pilot, "enter", "2")
        text = screen_text(app.screen)
        assert "50.04321" not in text and "50" in text


@run_async
async def test_x_removes_on_the_orders_tab_and_takes_you_there_from_elsewhere() -> None:
    """On the orders tab x removes the highlighted order at once; from another tab it shows
    the orders instead of asking to highlight one there."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", *CALM, *PROVOKE)
        seat = app.screen
        tabs = seat.query_one(TabbedContent)
        assert tabs.active == "orders"
        await press(pilot, "x")
        assert len(seat.draft.moves) == 1  # type: ignore[attr-defined]
        await press(pilot, "1", "x")
        assert tabs.active == "orders" and len(seat.draft.moves) == 1  # type: ignore[attr-defined]
        await press(pilot, "x", "x")
        assert seat.draft.moves == []  # type: ignore[attr-defined]


@run_async
async def test_proposals_carry_the_chosen_promise_length_and_read_by_title() -> None:
    """a proposes a test ban held for 24 h; b's screens name it by its title (no ids), and the
    agreement's commitment lasts 24 h."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "w")
        await write_test_ban(pilot)
        await press(pilot, "tab", "space", "tab", "end", "backspace", "backspace")
        await pilot.press("2", "4")
        await press(pilot, "ctrl+s")
        assert "for 24h" in screen_text(app.screen)  # a's outbox: delivered at once
        await press(pilot, "s", "enter")
        await press(pilot, "enter", "3")  # b reads it in the same round
        text = screen_text(app.screen)
        assert "“Test ban” from A" in text and "p1.a.1" not in text
        await press(pilot, "a", "y", "4")
        assert "Accept proposal “Test ban”" in screen_text(app.screen)
        await press(pilot, "s", "enter", "enter", "c", "enter")
    (agreement,) = session(app).state.agreements.values()
    assert [c.until - agreement.commitments[0].until for c in agreement.commitments] == [0]
    made = next(e for e in session(app).log if e.type == "agreement")
    assert agreement.commitments[0].until == made.t + 24
