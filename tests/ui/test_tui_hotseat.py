"""Pilot tests of the hotseat setup's number of rounds and of messages delivered at once while
seats share the screen (issue 19)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Label

from sim.engine.events import AgreementMade, Ended, MessageSent
from sim.engine.inputs import Input as SessionInput
from sim.engine.inputs import Send
from sim.engine.session import Session
from sim.record.log import lines, parse_log
from sim.record.runner import verify
from tests.tuikit import (
    HOTSEAT,
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
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice
from ui.tui.game import Setup
from ui.tui.screens.seat import SeatScreen


async def set_rounds(pilot: Pilot[Any], value: str) -> None:
    box = pilot.app.screen.query_one("#rounds", Input)
    box.focus()
    box.value = ""
    await pilot.press(*value)
    await settle(pilot)


@run_async
async def test_setup_chooses_the_number_of_rounds_within_the_scenarios_allowance() -> None:
    """The rounds row offers the scenario's 4 and says 1-4; 9 and 0 are refused with the focus
    kept on the row; 2 starts an exercise whose seats read "round 1 of 2" and which the clock
    ends when round 2 closes, its log header naming the 2 rounds."""
    app = make_app(four(), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rounds = app.screen.query_one("#rounds", Input)
        assert rounds.value == "4"
        assert "Rounds (1-4)" in str(app.screen.query_one("#rounds-label", Label).render())
        for bad in ("9", "0", "x"):
            await set_rounds(pilot, bad)
            await press(pilot, "ctrl+s")
            assert screen_name(app) == "SetupScreen" and rounds.has_focus
        await set_rounds(pilot, "2")
        await press(pilot, "ctrl+s")
        assert session(app).rounds == 2 and session(app).header.to_dict()["rounds"] == 2
        assert "Round 1 of 2" in screen_text(app.screen)
        for _round in (1, 2):
            for _seat in HOTSEAT:
                await press(pilot, "enter")
                if screen_name(app) == "ResultsScreen":
                    await press(pilot, "enter")
                assert screen_name(app) == "SeatScreen"
                assert f"round {_round} of 2" in str(app.screen.sub_title)
                await press(pilot, "s", "enter")
            await press(pilot, "enter", "c", "enter", "enter")  # control closes the round
        ended = [e for e in session(app).log if isinstance(e, Ended)]
        assert [(e.round, e.reason) for e in ended] == [(2, "clock")]
        while screen_name(app) != "DebriefScreen":
            await press(pilot, "enter")


@run_async
async def test_rounds_from_the_command_line_preset_the_row_where_the_scenario_allows() -> None:
    """``play --rounds 3`` offers 3; a scenario of fewer rounds offers its own number."""
    app = SitroomApp(
        [
            ScenarioChoice.of(four()),
            ScenarioChoice.of(
                four('clock: {start: "day 1", round_hours: 6, rounds: 2}\ntitle: Two'), "two"
            ),
        ],
        seats=HOTSEAT,
        rounds=3,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#rounds", Input).value == "3"
        app.screen.query_one("#scenarios").focus()
        await press(pilot, "down", "enter")
        assert app.screen.query_one("#rounds", Input).value == "2"


@run_async
async def test_a_hotseat_proposal_is_delivered_at_once_and_accepted_in_the_same_round() -> None:
    """a proposes a test ban to b in round 1: it is delivered when sent (journalled as a send,
    not kept in a's orders), shown in a's outbox; nothing of it shows while the keyboard
    changes hands; b reads and accepts it on its own turn in round 1, and the agreement is made
    when round 1 closes. The log replays exactly."""
    journal: list[SessionInput] = []

    def recorded(setup: Setup) -> Session:
        return Session(
            setup.world,
            setup.seed,
            dict(setup.seats),
            scenario_ref=setup.ref,
            recorder=journal.append,
        )

    app = SitroomApp([ScenarioChoice.of(four())], seats=HOTSEAT, seed=3, factory=recorded)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot)
        await press(pilot, "enter", "w")
        assert "delivered as soon as you send it" in screen_text(app.screen)
        await write_test_ban(pilot)
        await press(pilot, "tab", "space", "ctrl+s")
        seat = app.screen
        assert isinstance(seat, SeatScreen) and seat.draft.messages == []
        (sent,) = [e for e in session(app).log if isinstance(e, MessageSent)]
        assert sent.round == 1 and sent.proposal is not None
        assert [type(i) for i in journal] == [Send]
        assert "No tests" in screen_text(seat)  # a's outbox
        await press(pilot, "s", "enter")
        assert screen_name(app) == "PrivacyScreen"
        assert "No tests" not in stack_text(app) and "Test ban" not in stack_text(app)
        await press(pilot, "enter", "3")
        assert "“Test ban” from A" in screen_text(app.screen)
        assert "(open until round 3 closes)" in screen_text(app.screen)  # 4 rounds
        await press(pilot, "a", "y", "s", "enter")
        await press(pilot, "enter", "c", "enter")  # control closes round 1
    made = [e for e in session(app).log if isinstance(e, AgreementMade)]
    assert [(e.round, e.title) for e in made] == [(1, "Test ban")]
    text = "\n".join(lines(session(app).header.to_dict(), session(app).log))
    assert verify(session(app).world, parse_log(text, "hotseat.jsonl")) is None


@run_async
async def test_control_lists_delivered_messages_and_a_proposal_needs_a_promise() -> None:
    """A proposal with a title but no promise ticked is refused in the dialog (sent at once, it
    could not be taken back); a plain message goes. Control's submissions list it as delivered,
    and the last round's situation says the exercise ends rather than naming a next decision."""
    app = make_app(four(), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await set_rounds(pilot, "1")
        await press(pilot, "ctrl+s", "enter")
        assert "the exercise ends in 6h" in screen_text(app.screen)
        await press(pilot, "w", "space", "tab")
        await pilot.press(*"Talk soon")
        await press(pilot, "tab")
        await pilot.press(*"Nothing")
        await press(pilot, "ctrl+s")
        assert "A proposal needs a promise" in screen_text(app.screen)
        assert not [e for e in session(app).log if isinstance(e, MessageSent)]
        await press(pilot, "shift+tab")
        app.screen.query_one("#proposal-title", Input).value = ""
        await press(pilot, "ctrl+s")
        assert len([e for e in session(app).log if isinstance(e, MessageSent)]) == 1
        await press(pilot, "s")
        assert "Already delivered this round: 1 message" in screen_text(app.screen)
        await press(pilot, "enter", "enter", "s", "enter", "enter")
        assert screen_name(app) == "ControlScreen"
        assert "✉ delivered to B: Talk soon" in screen_text(app.screen)


@run_async
async def test_the_control_ladder_beside_the_tabs_is_drawn_from_the_first_round() -> None:
    """At 120 columns the side panel's escalation ladder shows its grid on the first control
    screen, before anything has refreshed it."""
    app = make_app(four(), seed=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_control(pilot, (), ())
        assert screen_name(app) == "ControlScreen"
        side = app.screen.query_one(".side")
        assert "highest escalation level" in screen_text(app.screen)
        assert side.region.width > 0 and max(w.region.height for w in side.children) > 1


LONG = """
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: "Weapons' worth of material unaccounted for (US estimate)", initial: 3}
"""


@run_async
async def test_the_debriefs_final_indicators_wrap_a_long_label_beside_its_value() -> None:
    """At 80 columns a label longer than the column wraps, its value beside the last line,
    in the same column as the others."""
    app = make_app(four(LONG), seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await set_rounds(pilot, "1")
        await press(pilot, "ctrl+s", "enter", "s", "enter", "enter", "s", "enter")
        await press(pilot, "enter", "c", "enter")
        while screen_name(app) != "DebriefScreen":
            await press(pilot, "enter")
        lines = screen_text(app.screen).splitlines()
        tension = next(line for line in lines if line.strip().startswith("Tension"))
        last = next(line for line in lines if line.strip().startswith("unaccounted for (US"))
        assert any(line.strip() == "Weapons' worth of material" for line in lines)
        # Two spaces, the 34-cell label column, one space: the values share one column.
        assert tension[37:].strip() == "50" and last[37:].strip() == "3"
