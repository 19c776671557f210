"""Terminal escape sequences typed into a message or written into a scenario's inject never reach
a terminal through the TUI's event lines (Textual passes control characters through as they are:
an ``ESC ]0;`` retitled the terminal), and travel the networked server's frames as JSON escapes
(``\\u001b``), never as raw bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import Input, TextArea

from sim.authoring.loader import load_scenario
from sim.engine.session import Session
from sim.models import Orders
from tests.tuikit import press, run_async, settle, stack_text
from ui.net.protocol import encode_trusted
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice
from ui.tui.text import describe

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "good" / "hostile" / "hostile.yaml"
NASTY = "hi \x1b]0;owned\x07 \x1b[31mred\x1b[0m \x9b2J [b]bold[/b]"


def _session() -> Session:
    world = load_scenario(HOSTILE)
    seats = dict.fromkeys(world.actors, "human")
    s = Session(world, 1, seats)  # type: ignore[arg-type]
    first, second = world.actors[:2]
    s.submit(first, Orders.model_validate({"messages": [{"to": [second], "text": NASTY}]}))
    s.close_round()
    return s


def test_tui_event_lines_hold_no_control_characters() -> None:
    s = _session()
    world = s.world
    lines = []
    for seat in (None, *world.actors):
        for event in s.view(seat).events:
            line = describe(world, event, seat)
            if line is not None:
                lines.append(line)
    assert any("owned" in line for line in lines)  # the message is shown...
    for line in lines:  # ...with its control characters replaced, and its markup escaped
        assert all(ch in "\n\t" or ch.isprintable() for ch in line), repr(line)
    assert any("\\[b]bold" in line for line in lines)


def test_wire_frames_carry_escapes_as_json_escapes() -> None:
    """An ``events`` frame as the server encodes it (``encode_trusted``): C0 control characters
    are JSON escapes; the message is still there for the client to show (sanitised there)."""
    s = _session()
    second = s.world.actors[1]
    frame = encode_trusted("events", events=list(s.view(second).events))
    assert "\x1b" not in frame and "\x07" not in frame
    assert "\\u001b]0;owned" in frame


CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\x08", "\r")


def _clean(where: str, text: str) -> None:
    bad = sorted({ch for ch in text if not (ch in "\n\t" or ch.isprintable())})
    assert not bad, f"{where}: control characters {bad!r} reach the screen"


def _check(app: Any, seen: list[str]) -> None:
    """Nothing on any screen of the stack (its DOM texts, its title, its notifications and the
    rendered screenshot) holds a control character."""
    where = type(app.screen).__name__
    seen.append(where)
    _clean(f"{where} texts", stack_text(app))
    _clean(f"{where} title", f"{app.title} {app.sub_title} {app.screen.sub_title}")
    _clean(f"{where} notifications", " ".join(n.message for n in app._notifications))
    shot = app.export_screenshot()
    assert not any(c in shot for c in CONTROLS), f"{where}: a control character was rendered"


@run_async
async def test_tui_screens_show_no_escape_sequence_from_a_scenario_or_a_message() -> None:
    """The hostile scenario's title, briefing, indicator and move labels hold escape sequences,
    and a's message to b holds a title-setting ``ESC ]0;``, CSI and C1 controls: setup, seat,
    composer, message, control, results and debrief screens show them as U+FFFD, never raw."""
    world = load_scenario(HOSTILE)
    app = SitroomApp([ScenarioChoice.of(world)], seats={"alpha": "human", "beta": "human"})
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _check(app, seen)  # setup: title, summary, briefing
        assert "\ufffd]0;owned" in stack_text(app)
        app.screen.query_one("#rounds", Input).value = "1"  # one round, then the debrief
        await press(pilot, "ctrl+s")
        _check(app, seen)  # privacy
        await press(pilot, "enter")
        _check(app, seen)  # alpha's seat: briefing, indicators
        for tab in ("1", "2", "3", "4"):
            await press(pilot, tab)
            _check(app, seen)
        await press(pilot, "m")
        _check(app, seen)  # composer: the move labels
        assert "Deep sum \ufffd]0;title\ufffd" in stack_text(app)
        await press(pilot, "enter")
        _check(app, seen)
        await press(pilot, "w", "space", "tab")
        _check(app, seen)  # message screen
        box = app.screen.focused
        assert isinstance(box, Input | TextArea), box
        if isinstance(box, Input):
            box.value = NASTY
        else:
            box.text = NASTY
        await press(pilot, "ctrl+s")
        _check(app, seen)  # alpha's outbox
        await press(pilot, "s", "enter")
        _check(app, seen)
        await press(pilot, "enter")  # beta's turn: the message in its inbox
        _check(app, seen)
        for tab in ("1", "2", "3", "4"):
            await press(pilot, tab)
            _check(app, seen)
        assert "owned" in stack_text(app)
        await press(pilot, "s", "enter", "enter")
        _check(app, seen)  # control: the preview table, the delivered message
        assert type(app.screen).__name__ == "ControlScreen"
        await press(pilot, "c", "enter")
        for _ in range(8):  # results, then the debrief (the exercise ends with round 1)
            _check(app, seen)
            if type(app.screen).__name__ == "DebriefScreen":
                break
            await press(pilot, "enter")
        _check(app, seen)
    assert {"SetupScreen", "SeatScreen", "ControlScreen", "ResultsScreen"} <= set(seen), seen
    assert "DebriefScreen" in seen, seen
