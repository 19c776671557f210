"""Terminal escape sequences typed into a message or written into a scenario's inject never reach
a terminal through the TUI's event lines (Textual passes control characters through as they are:
an ``ESC ]0;`` retitled the terminal), and travel the networked server's frames as JSON escapes
(``\\u001b``), never as raw bytes."""

from __future__ import annotations

from pathlib import Path

from sim.authoring.loader import load_scenario
from sim.engine.session import Session
from sim.models import Orders
from ui.net.protocol import encode_trusted
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
