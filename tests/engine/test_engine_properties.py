"""Property tests: any seed and any legal script replays exactly, and views never leak."""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.events import MoveMade
from sim.engine.session import IllegalInput, Session
from sim.models import Orders
from sim.record.log import lines, parse_log
from sim.record.runner import verify
from tests.worlds import world

WORLD = world()
ACTORS = WORLD.actors

order = st.fixed_dictionaries(
    {
        "move": st.sampled_from(sorted(WORLD.moves)),
        "target": st.sampled_from([None, *ACTORS]),
    }
)
plan = st.lists(  # rounds
    st.dictionaries(st.sampled_from(ACTORS), st.lists(order, max_size=2), max_size=3),
    min_size=1,
    max_size=4,
)


def play(seed: int, rounds: list[dict[str, list[dict[str, Any]]]], humans: set[str]) -> Session:
    s = Session(WORLD, seed, dict.fromkeys(humans, "human"))
    for by_actor in rounds:
        if s.over:
            break
        for actor, mvs in by_actor.items():
            if actor not in humans:
                continue
            # Random orders are often illegal; a refused one must leave the session unchanged.
            with contextlib.suppress(IllegalInput):
                s.submit(
                    actor,
                    Orders.model_validate(
                        {"moves": [{k: v for k, v in m.items() if v is not None} for m in mvs]}
                    ),
                )
        s.close_round()
    return s


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), rounds=plan, humans=st.sets(st.sampled_from(ACTORS)))
def test_any_session_replays_exactly(seed: int, rounds: Any, humans: set[str]) -> None:
    """Whatever the seed, seats and (legal) orders, replaying the log reproduces it."""
    s = play(seed, rounds, humans)
    text = "\n".join(lines(s.header.to_dict(), s.log))
    assert verify(WORLD, parse_log(text)) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), rounds=plan)
def test_views_never_show_undetected_secret_moves(seed: int, rounds: Any) -> None:
    """No actor's view contains another actor's secret move unless it detected it."""
    s = play(seed, rounds, set(ACTORS))
    for actor in ACTORS:
        # Views number moves for themselves (a gap would tell of a hidden move), so moves are
        # matched by what they are, not by id: each other actor's secret move shows iff detected.
        def key(e: Any) -> tuple[Any, ...]:
            return (e["actor"], e["move"], e["target"], e["t"])

        shown = Counter(key(e) for e in s.view(actor).events if e["type"] == "move")
        hidden = Counter[tuple[Any, ...]]()
        for e in s.log:
            if isinstance(e, MoveMade) and e.visibility == "secret" and e.actor != actor:
                k = (e.actor, e.move, e.target, e.t)
                if actor in s.state.moves[e.mid].known_by:
                    assert shown[k] > 0
                    shown[k] -= 1
                else:
                    hidden[k] += 1
        assert not any(shown[k] for k in hidden)


FOG_MOVES = """
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: whisper
    name: Whisper
    category: diplomatic
    escalation: 0
    target: actor
    visibility: target
    effects: [{set: flags.alarm, to: true}, {change: trust.self.target, by: 5}]
  - id: shout
    name: Shout
    category: information
    escalation: 1
    effects: [{set: flags.alarm, to: false}, {change: tension, by: 5}]
  - id: spy
    name: Spy
    category: information
    escalation: 3
    visibility: secret
    detection: 0.5
    target: actor
    effects: [{change: target.support, by: -5}, {set: flags.alarm, to: true}]
  - id: brief
    name: Brief
    category: information
    escalation: 0
    target: actor
    visibility: target
    reveals: [self.support, stability]
  - id: push
    name: Push
    category: military
    escalation: 3
    effects: [{change: self.support, by: 10}, {change: stability, by: -10}]
"""

declarations = st.fixed_dictionaries(
    {
        "stability": st.sampled_from(["public", "none", ["a"], ["b", "c"]]),
        "support": st.sampled_from(["own", "public", "none"]),
        "alarm": st.sampled_from(["source", "public", "none", ["c"]]),
        "trust": st.sampled_from(["parties", "public", "none"]),
        "inject": st.sampled_from(["public", ["a"], ["b"]]),
    }
)
fog_plan = st.lists(
    st.dictionaries(
        st.sampled_from(ACTORS),
        st.lists(
            st.fixed_dictionaries(
                {
                    "move": st.sampled_from(["wait", "whisper", "shout", "spy", "brief", "push"]),
                    "target": st.sampled_from([None, *ACTORS]),
                }
            ),
            max_size=2,
        ),
        max_size=3,
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), decl=declarations, rounds=fog_plan)
def test_views_leak_nothing_whatever_the_declarations(
    seed: int, decl: dict[str, Any], rounds: Any
) -> None:
    """Over generated visibility declarations, moves and private injects, every seat's view
    passes the fog-of-war audit (tests/scenarios/test_fog_audit.py) and the log replays."""
    from tests.scenarios.test_fog_audit import Truth, audit_view

    patch = {
        "indicators": [
            {"id": "tension", "label": "T", "initial": 50},
            {"id": "stability", "label": "S", "initial": 50, "visible_to": decl["stability"]},
        ],
        "variables": [{"id": "support", "label": "Sup", "initial": 50, "visible": decl["support"]}],
        "flags": {"alarm": {"initial": False, "visible": decl["alarm"]}},
        "relations": {"visible": decl["trust"]},
        "injects": [
            {
                "id": "memo",
                "at": 6,
                "title": "Memo",
                "text": "memo-text",
                "audience": decl["inject"],
                "effects": [{"set": "flags.alarm", "to": True}],
                "reveals": ["stability"],
            }
        ],
    }
    w = world(patch, FOG_MOVES)
    s = Session(w, seed, dict.fromkeys(ACTORS, "human"))
    for by_actor in rounds:
        for actor, mvs in by_actor.items():
            with contextlib.suppress(IllegalInput):
                s.submit(
                    actor,
                    Orders.model_validate(
                        {"moves": [{k: v for k, v in m.items() if v is not None} for m in mvs]}
                    ),
                )
        s.close_round()
        if s.over:
            break
    truth = Truth(s)
    for actor in ACTORS:
        audit_view(w, s, truth, actor, exported=True)
    assert verify(w, parse_log("\n".join(lines(s.header.to_dict(), s.log)))) is None
