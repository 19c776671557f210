"""Numbered fog-of-war rule R53: a seat learns of a breach only from what it saw.

A move with ``visibility: target`` is known to its actor and its target alone. When it breaks
an agreement with a third party, that party never saw the move: its trust in the breaker must
not drop (it sees ``trust.A.B`` as a party, so a drop would tell it of a move it never saw), and
no breach reaches its view. The target, who saw the move, learns of the breach as before.
"""

from __future__ import annotations

from sim.engine.events import Breach
from sim.engine.session import Session
from tests.engine.test_engine_rules import HUMANS, _proposal, moves, orders
from tests.worlds import MOVES, world

QUIET = (
    MOVES
    + """
  - id: whisper
    name: Whisper
    category: information
    escalation: 1
    target: actor
    visibility: target
    effects: [{change: tension, by: 1}]
"""
)


def _breach_of_a_target_only_move() -> Session:
    s = Session(world(moves=QUIET), 1, HUMANS)
    commit = [{"forbid": ["whisper"], "hours": 100}]
    s.submit("a", _proposal(["b", "c"], commitments=commit))
    s.close_round()
    for party in ("b", "c"):
        s.submit(party, orders(answers=[{"proposal": "p1.a.1", "accept": True}]))
    s.close_round()
    s.submit("a", moves(("whisper", "b")))
    s.close_round()
    return s


def test_r53_a_third_party_learns_nothing_of_a_breach_it_never_saw() -> None:
    """R53: the breaker's trust drops with the target (who saw the move), not with a third
    party of the agreement that never saw it; only the target's view has the breach."""
    s = _breach_of_a_target_only_move()
    assert [e for e in s.log if isinstance(e, Breach)], "the move breaks the agreement"
    values = s.state.values
    assert values["trust.a.b"] < 50  # the target saw it
    assert values["trust.a.c"] == 50  # the third party did not
    assert any(e["type"] == "breach" for e in s.view("b").events)
    c = s.view("c")
    assert not any(e["type"] == "breach" for e in c.events)
    assert not [e for e in c.events if e["type"] == "effect" and e["name"] == "trust.a.c"]
