"""Plain words for the engine's newer events on the screens (control's log, the debrief)."""

from __future__ import annotations

from textual.content import Content

from tests.tuikit import four
from ui.tui.text import describe

WORLD = four()


def plain(markup: str | None) -> str:
    assert markup is not None
    return Content.from_markup(markup).plain


def test_a_red_line_crossing_says_what_was_believed_and_the_response() -> None:
    event = {
        "type": "red_line",
        "seq": 9,
        "t": 6.0,
        "round": 2,
        "actor": "c",
        "red_line": "no_calm",
        "believed": {"tension": 80.0, "flags.alarm": True},
        "response": "insult",
        "target": "a",
    }
    text = plain(describe(WORLD, event, None))
    assert "RED LINE C: no_calm crossed; responds with Insult → A" in text
    assert "it believed Tension = 80, alarm = yes" in text
    event |= {"response": None, "target": None}
    assert "no response move was possible" in plain(describe(WORLD, event, None))


def test_a_reveal_names_its_audience_and_values() -> None:
    event = {
        "type": "revealed",
        "seq": 3,
        "t": 6.0,
        "round": 2,
        "audience": ["b"],
        "values": {"stability": 45.0},
        "source": "inject:leak",
    }
    assert plain(describe(WORLD, event, "b")) == "  revealed (to B): Stability = 45"
