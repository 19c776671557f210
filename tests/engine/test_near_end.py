"""Numbered rules for the facilitator's warning of an end condition one step away
(:mod:`sim.engine.nearend`)."""

from __future__ import annotations

from sim.engine.nearend import near_ends
from sim.engine.session import Session
from tests.worlds import world

ENDS = """
end_conditions:
  - {id: war, title: War, when: "tension >= 70", immediate: true}
  - {id: peace, title: Peace, when: "tension <= 20", immediate: true}
  - {id: done, title: Done, when: "true"}
"""


def test_n1_an_immediate_end_one_move_away_is_named_with_the_moves_that_meet_it() -> None:
    """N1: tension 50, a bomb test adds 20: war is one step away, by that move of any actor."""
    w = world(ENDS)
    found = near_ends(w, Session(w, 1).view(None).values, 1, 4)
    assert [n.id for n in found] == ["war"]
    assert ("a", "test_bomb", None) in found[0].by
    assert all(move == "test_bomb" for _a, move, _t in found[0].by)


def test_n2_nothing_is_near_when_no_single_move_reaches_a_condition() -> None:
    """N2: with the war line at 80 no single move (at most +20) reaches it."""
    w = world(ENDS.replace("tension >= 70", "tension >= 80"))
    assert near_ends(w, Session(w, 1).view(None).values, 1, 4) == []


def test_n3_the_last_round_names_the_end_the_clock_would_bring() -> None:
    """N3: in the last round the first condition holding now is reported as the clock's end."""
    w = world(ENDS.replace("tension >= 70", "tension >= 80"))
    found = near_ends(w, Session(w, 1).view(None).values, 4, 4)
    assert [(n.id, n.immediate) for n in found] == [("done", False)]
