"""Role-redacted exports: an actor's log holds what it could know and nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sim.engine.events import InjectDelivered, MessageSent, MoveMade, Resolved
from sim.engine.session import Session
from sim.record.export import UnknownActor, full_log, redact_log
from sim.record.log import Log, lines, parse_log
from tests.worlds import world

WORLD = world("""
clock: {start: "day 1", round_hours: 6, rounds: 5}
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: Stability, initial: 50}
  - {id: intel, label: Intelligence picture, initial: 20, visible_to: [a]}
injects:
  - {id: tip, at: 6, title: "Tip-off for b", text: "b-only-tipoff", audience: [b],
     effects: [{change: intel, by: 5}]}
""")
ACTORS = WORLD.actors


def secret_run(seed: int, each_round: Callable[[Session], None] | None = None) -> Session:
    """Everyone human; everyone spies on everyone and whispers to one other actor each round
    (``each_round`` is called before each round's orders)."""
    s = Session(WORLD, seed, dict.fromkeys(ACTORS, "human"))
    r = 0
    while not s.over:
        if each_round is not None:
            each_round(s)
        r += 1
        for i, actor in enumerate(ACTORS):
            target = ACTORS[(i + r) % len(ACTORS)]
            if target == actor:
                target = ACTORS[(i + 1) % len(ACTORS)]
            s.apply_input(
                {
                    "op": "submit",
                    "actor": actor,
                    "orders": {
                        "moves": [{"move": "spy", "target": target}],
                        "messages": [{"to": [target], "text": f"whisper-{actor}-{target}-{r}"}],
                    },
                }
            )
        s.apply_input({"op": "close"})
    return s


def as_log(s: Session) -> Log:
    return Log(s.header.to_dict(), list(s.log))


@pytest.mark.parametrize("seed", [1, 2, 3, 5, 8, 13, 21, 34])
def test_redacted_export_never_leaks(seed: int) -> None:
    """No undetected secret move, private message or hidden value of another actor appears."""
    s = secret_run(seed)
    full = as_log(s)
    resolved = {e.mid: e for e in s.log if isinstance(e, Resolved)}
    for actor in ACTORS:
        text = "\n".join(lines(*_parts(redact_log(full, actor, WORLD))))
        exported = parse_log(text)  # a redacted log is still a valid log
        assert exported.header["redacted_for"] == actor
        assert [e.seq for e in exported.events] == list(range(len(exported.events)))
        for e in s.log:
            if isinstance(e, MoveMade) and e.actor != actor and e.visibility == "secret":
                detected = actor in resolved[e.mid].detected_by
                assert (f'"mid":"{e.mid}"' in text) == detected, (actor, e.mid)
            if isinstance(e, MessageSent) and actor != e.sender and actor not in e.to:
                assert e.text not in text
            if (
                isinstance(e, InjectDelivered)
                and e.audience != "public"
                and actor not in e.audience
            ):
                assert e.text not in text
        for row in text.splitlines()[1:]:
            data: dict[str, Any] = json.loads(row)
            if data["type"] == "effect":
                assert data["name"] in WORLD.visible[actor]
            if data["type"] == "round_closed":
                assert data["hash"] == ""
        if actor != "a":
            assert '"name":"intel"' not in text


def same_as_views(s: Session) -> None:
    """For every actor, the export of the log so far is its view's events, numbering included."""
    for actor in ACTORS:
        exported = [e.to_dict() for e in redact_log(full_log(s), actor, WORLD).events]
        viewed = [dict(e) for e in s.view(actor).events]
        assert exported == viewed, actor
        assert [e["seq"] for e in viewed] == list(range(len(viewed)))


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
@pytest.mark.parametrize("watched", [False, True], ids=["at-the-end", "every-round"])
def test_an_export_as_an_actor_is_that_seats_view(seed: int, watched: bool) -> None:
    """``export --as A`` holds exactly the events of A's view, numbered as A's view numbers them,
    whether the view was built as the game went (incrementally, compared every round, a private
    inject in an open round included) or once at the end."""

    def each_round(s: Session) -> None:
        if s.round == 3:
            s.inject("Late news", "for-c-only", ["c"])
        if watched:
            same_as_views(s)

    same_as_views(secret_run(seed, each_round))


def test_some_secrets_are_detected_and_shown() -> None:
    """The test above is not vacuous: across seeds, detected secret moves do appear."""
    shown = 0
    for seed in (1, 2, 3):
        s = secret_run(seed)
        for actor in ACTORS:
            shown += sum(
                isinstance(e, MoveMade) and e.actor != actor
                for e in redact_log(as_log(s), actor, WORLD).events
            )
    assert shown > 0


def test_rationales_of_others_are_dropped() -> None:
    """A computer player's reasoning stays with it; the actor's own rationale is kept."""
    s = Session(WORLD, 4, {"a": "human"})
    while not s.over:
        s.close_round()
    full = as_log(s)
    assert any(isinstance(e, MoveMade) and e.rationale for e in full.events)
    for e in redact_log(full, "a", WORLD).events:
        if isinstance(e, MoveMade) and e.actor != "a":
            assert e.rationale is None
    own = redact_log(full, "b", WORLD).events
    assert any(isinstance(e, MoveMade) and e.actor == "b" and e.rationale for e in own)


def test_unknown_actor_is_a_clear_error() -> None:
    """Naming an actor the scenario lacks suggests the right one."""
    with pytest.raises(UnknownActor, match="unknown actor 'aa'"):
        redact_log(as_log(secret_run(1)), "aa", WORLD)


def _parts(log: Log) -> tuple[dict[str, Any], list[Any]]:
    return log.header, log.events
