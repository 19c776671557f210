"""The view is the wall: nothing in ``ui/`` reaches past it, and what a seat is shown moves only
with what that seat has learned."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sim.engine.session import Session
from sim.models import Effect
from tests.tuikit import press, run_async, screen_name, screen_text
from tests.worlds import world
from ui.tui.app import SitroomApp
from ui.tui.catalog import ScenarioChoice
from ui.tui.options import move_options
from ui.tui.widgets.indicators import IndicatorPanel

UI = Path(__file__).resolve().parents[2] / "ui"
FORBIDDEN_ATTRIBUTES = frozenset({"state", "log", "kernel", "env"})
"""The session's (and the kernel's) true state, log and clock: never read by a front end."""
FORBIDDEN_MODULES = ("sim.engine.state", "sim.engine.kernel", "sim.engine.adjudicate")
"""Engine internals: a front end talks to the session and reads views."""


def _forbidden_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES)


def violations(source: str, where: str) -> list[str]:
    """``where:line: what`` for every reach past the wall in one module's source."""
    out = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            out.append(f"{where}:{line}: attribute .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in FORBIDDEN_ATTRIBUTES
        ):
            out.append(f"{where}:{line}: {node.func.id}(..., {node.args[1].value!r})")
        elif isinstance(node, ast.Import):
            out += [
                f"{where}:{line}: import {a.name}" for a in node.names if _forbidden_module(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if _forbidden_module(node.module):
                out.append(f"{where}:{line}: from {node.module} import ...")
            else:
                out += [
                    f"{where}:{line}: from {node.module} import {a.name}"
                    for a in node.names
                    if _forbidden_module(f"{node.module}.{a.name}")
                ]
    return out


def test_ui_never_touches_engine_internals() -> None:
    """No front end under ui/ reads ``.state``, ``.log``, ``.kernel`` or ``.env`` of anything,
    nor imports the state, the kernel or the adjudication rules: screens read views."""
    # ui/net is the authority, not a screen: like the archive it owns the session and builds
    # each seat's feed; what it sends is checked in tests/net (a client receives exactly the
    # seat's `export --as`).
    files = sorted(p for p in UI.rglob("*.py") if p.parent.name != "net")
    assert len(files) > 30  # the scan really sees the front ends
    found = [
        v
        for path in files
        for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent)))
    ]
    assert not found, "ui/ reaches past the view:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x = session.state.values", "m.py:1: attribute .state"),
        ("def f(s):\n    return len(s.log)", "m.py:2: attribute .log"),
        ("a.kernel.env.now", "m.py:1: attribute .env"),
        ("getattr(s, 'state')", "m.py:1: getattr(..., 'state')"),
        ("import sim.engine.kernel as k", "m.py:1: import sim.engine.kernel"),
        ("from sim.engine.state import State", "m.py:1: from sim.engine.state import ..."),
        ("from sim.engine import adjudicate", "m.py:1: from sim.engine import adjudicate"),
    ],
)
def test_the_scan_catches_each_kind_of_reach(source: str, expected: str) -> None:
    """The wall test is not vacuous: each forbidden form is found, with its file and line."""
    assert expected in violations(source, "m.py")


def test_the_scan_lets_views_and_the_session_api_through() -> None:
    """Reading a view, the world's labels and the session's API is what screens are meant to do."""
    ok = """
from sim.engine.session import Session, Ruling
from sim.engine.view import View
v = session.view(None)
rows = [e for e in v.events if e["round"] == v.round]
session.preview(); session.warnings("a", orders); session.world.moves
"""
    assert violations(ok, "m.py") == []


# -- the leak of issue 13: a chance computed on the true state ---------------------------------

# ``intel`` is seen by a alone; ``strike`` (b's to use) succeeds with intel/100.
LEAK_WORLD = world(
    """
actors: [{id: a}, {id: b}]
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: Stability, initial: 50}
  - {id: intel, label: Intelligence picture, initial: 80, visible_to: [a]}
""",
    moves="""
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: strike
    name: Strike on intel
    category: military
    escalation: 6
    chance: "intel / 100"
    effects: [{change: tension, by: 10}]
""",
)


def strike_chance(session: Session, actor: str) -> float:
    """The chance the composer shows ``actor`` for a strike (from its view's options)."""
    (strike,) = [m for m in move_options(LEAK_WORLD, session.view(actor)) if m.id == "strike"]
    return strike.targets[0].chance


async def composer_text(session: Session) -> str:
    """What b's composer shows with the strike highlighted."""
    app = SitroomApp([ScenarioChoice.of(LEAK_WORLD)], session=session)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "enter")  # b's privacy screen
        assert screen_name(app) == "SeatScreen"
        await press(pilot, "m", "down")
        assert screen_name(app) == "MoveComposer"
        return screen_text(app.screen)


def private_inject(session: Session) -> None:
    """Control tells a alone that the intelligence picture collapsed."""
    session.inject(
        "Sources burned",
        "a-only-news",
        ["a"],
        [Effect.model_validate({"change": "intel", "by": -50})],
    )


def test_a_seats_chance_does_not_move_when_only_another_seat_learns_something() -> None:
    """b's chance for a move that reads a value b cannot see stays put when only a is told the
    value changed; a, who sees it, is shown the new chance (so the test is not vacuous)."""
    s = Session(LEAK_WORLD, 1, {"b": "human"})
    before_a, before_b = strike_chance(s, "a"), strike_chance(s, "b")
    assert before_a == before_b == pytest.approx(0.8)
    private_inject(s)
    assert strike_chance(s, "b") == pytest.approx(0.8)  # b believes intel is still 80
    assert strike_chance(s, "a") == pytest.approx(0.3)  # a sees it fall to 30


@run_async
async def test_the_composer_shows_b_the_same_chance_before_and_after_a_private_inject() -> None:
    """The same through the screen b actually reads."""
    s = Session(LEAK_WORLD, 1, {"b": "human"})
    before = await composer_text(s)
    private_inject(s)
    after = await composer_text(s)
    assert "Chance of success 80%" in before
    assert "Chance of success 80%" in after
    assert "a-only-news" not in after and "Sources burned" not in after


@run_async
async def test_a_seat_sees_what_it_was_told_of_a_hidden_value_labelled_as_a_belief() -> None:
    """b cannot see intel; once a reveal tells it the value, its situation lists it as a
    belief (with when it was seen), and the Indicators tab still charts only what b sees."""
    w = world(
        """
actors: [{id: a}, {id: b}]
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 4}
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: Stability, initial: 50}
  - {id: intel, label: Intelligence picture, initial: 80, visible_to: [a]}
injects:
  - {id: leak, at: 0, title: A leak, audience: [b], effects: [{change: intel, by: -7}],
     reveals: [intel]}
"""
    )
    s = Session(w, 1, {"b": "human"})
    app = SitroomApp([ScenarioChoice.of(w)], session=s)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "enter", "2")
        text = screen_text(app.screen)
        charted = {row.name for panel in app.screen.query(IndicatorPanel) for row in panel.rows}
    assert "What you last observed of what you cannot see (beliefs):" in text
    assert "Intelligence picture: 73 (seen 13 Nov 08:00)" in text
    assert "tension" in charted and "intel" not in charted
