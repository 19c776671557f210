"""Property tests: any seed and any legal script replays exactly, and views never leak."""

from __future__ import annotations

import contextlib
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
        seen = {e["mid"] for e in s.view(actor).events if e["type"] in ("move", "resolved")}
        for e in s.log:
            if isinstance(e, MoveMade) and e.visibility == "secret" and e.actor != actor:
                detected = actor in s.state.moves[e.mid].known_by
                assert (e.mid in seen) == detected
