"""The report says whether each inject's expected player action followed."""

from __future__ import annotations

from pathlib import Path

from sim.authoring.loader import load_scenario
from sim.engine.session import Session
from sim.models import Orders
from sim.report.expected import expected_actions

DRILL = Path(__file__).resolve().parents[1] / "data" / "msel" / "drill.yaml"


def played(alpha_move: str) -> Session:
    """The drill with Alpha (human) making ``alpha_move`` in rounds 1 and 2; Beta by computer."""
    world = load_scenario(DRILL)
    s = Session(world, 1, {"alpha": "human"})
    for _ in range(2):
        target = "beta" if alpha_move == "protest" else None
        move = {"move": alpha_move, "target": target}
        s.submit("alpha", Orders.model_validate({"moves": [move]}))
        s.close_round()
    while not s.over:
        s.close_round()
    return s


def test_expected_move_by_the_audience_counts_as_followed() -> None:
    """Alpha protests after the cable that expects a protest: followed."""
    s = played("protest")
    by_id = {x.inject: x for x in expected_actions(s.log, s.world)}
    cable = by_id["alpha_cable"]
    assert cable.followed is True
    assert cable.moves[0] == "alpha protest (round 2)"
    assert cable.verdict().startswith("followed: alpha protest (round 2)")


def test_other_moves_do_not_count_and_are_listed() -> None:
    """Alpha only talks after the cable that expects a protest: not followed, and says what
    Alpha did instead."""
    s = played("talk")
    by_id = {x.inject: x for x in expected_actions(s.log, s.world)}
    cable = by_id["alpha_cable"]
    assert cable.followed is False
    assert "alpha talk (round 2)" in cable.verdict()
    assert "joint_brief" not in by_id  # no expected action stated, nothing to judge


def test_redacted_reports_leave_control_notes_out() -> None:
    """A seat's report does not show control's expected actions; control's does."""
    from sim.report import debrief

    s = played("talk")
    assert debrief(s, s.world).expected
    assert debrief(s, s.world, as_actor="alpha").expected == []


def test_control_sees_the_expected_action_when_the_inject_fires() -> None:
    """Control's event line carries the expected action and objective; a seat's does not."""
    from ui.tui.text import describe

    world = load_scenario(DRILL)
    s = Session(world, 1, {})
    (opening,) = [e for e in s.view(None).events if e["type"] == "inject" and e["id"] == "opening"]
    assert "control: expected: talk; objective: restraint" in str(describe(world, opening, None))
    seen = [e for e in s.view("alpha").events if e["type"] == "inject"]
    assert all("control:" not in str(describe(world, e, "alpha")) for e in seen)
