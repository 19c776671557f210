"""The fog-of-war audit: over many computer-played runs of every bundled scenario, with a scripted
secret move and a private control inject in each, no actor's view, `export --as` or `report --as`
reveals a private inject, an undetected secret move, a value it may not see, or another actor's
reasoning. The checks read the true log and the declarations, not the redaction code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.events import AgreementMade, EffectApplied, InjectDelivered, MoveMade, Resolved
from sim.engine.session import Session
from sim.engine.world import World
from sim.models import Orders
from sim.record.export import redact_log
from sim.record.log import Log
from sim.report import write_report

SEEDS = range(int(__import__("os").environ.get("AUDIT_SEEDS", "200")))
REPORTED = range(3)
"""Seeds whose redacted reports are also audited (reports are slower to build)."""


def secret_opening(world: World, session: Session) -> tuple[str, Orders] | None:
    """The first actor that can make a secret move in round 1, and that move."""
    for actor in world.actors:
        view = session.view(actor)
        for move, target in sorted(view.legal, key=lambda mt: (mt[0], mt[1] or "")):
            if world.moves[move].type.visibility == "secret":
                order = {"move": move} | ({"target": target} if target else {})
                return actor, Orders.model_validate({"moves": [order]})
    return None


def play(world: World, seed: int) -> Session:
    """A computer-played run with one scripted secret move and one private control inject."""
    probe = Session(world, seed)
    opening = secret_opening(world, probe)
    seats = {opening[0]: "script"} if opening else {}
    s = Session(world, seed, seats)
    if opening:
        s.submit(*opening)
    s.close_round()
    told = world.actors[seed % len(world.actors)]
    s.inject(f"Eyes only {seed}", f"private-{seed}-text", [told])
    while not s.over:
        s.close_round()
    return s


def hidden_names(world: World, actor: str) -> set[str]:
    """Names with a declared audience that leaves ``actor`` out (not `visible: source`)."""
    return {
        n for n in world.names if n not in world.visible[actor] and n not in world.sight.by_source
    }


class Truth:
    """What the true log says, indexed once per run."""

    def __init__(self, s: Session) -> None:
        self.log = s.log
        self.audiences = {e.id: e.audience for e in s.log if isinstance(e, InjectDelivered)}
        self.parties = {e.id: e.parties for e in s.log if isinstance(e, AgreementMade)}
        self.causes: dict[tuple[str, float, Any], list[str]] = {}
        for e in s.log:
            if isinstance(e, EffectApplied):
                self.causes.setdefault((e.name, e.t, e.value), []).append(e.source)

    def knows(self, actor: str) -> set[str]:
        """Move ids ``actor`` knows of: public, its own, aimed at it, or detected by it."""
        out = set()
        for e in self.log:
            if isinstance(e, MoveMade) and (
                e.visibility == "public"
                or e.actor == actor
                or (e.visibility == "target" and e.target == actor)
            ):
                out.add(e.mid)
            if isinstance(e, Resolved) and actor in e.detected_by:
                out.add(e.mid)
        return out

    def cause_known(self, actor: str, knows: set[str], shown: Mapping[str, Any]) -> bool:
        """Whether the true cause of a shown change of a `visible: source` name is one ``actor``
        knows: a move it knows of, an inject told to it, a trigger whose inject was public or
        told to it (or had none), an agreement it is party to."""
        for source in self.causes.get((shown["name"], shown["t"], shown["value"]), []):
            kind, _, ident = source.partition(":")
            if source in knows:
                return True
            if kind in ("inject", "trigger"):
                audience = self.audiences.get(ident if kind == "inject" else f"trigger.{ident}")
                if audience is None or audience == "public" or actor in audience:
                    return True
            if kind in ("agreement", "breach") and actor in self.parties.get(ident, ()):
                return True
        return False


def audit_events(world: World, truth: Truth, actor: str, events: list[dict[str, Any]]) -> None:
    """Assert that ``events`` (a seat's view, or its export) leak nothing ``actor`` may not know."""
    knows = truth.knows(actor)
    private = [
        e
        for e in truth.log
        if isinstance(e, InjectDelivered) and e.audience != "public" and actor not in e.audience
    ]
    secret_mids = {e.mid for e in truth.log if isinstance(e, MoveMade)} - knows
    hidden = hidden_names(world, actor)
    others_reasons = {
        e.rationale
        for e in truth.log
        if isinstance(e, MoveMade) and e.actor != actor and e.rationale
    }
    shown_ids = {str(e.get(k)) for e in events for k in ("mid", "source", "id", "agreement")}
    shown_texts = {e.get("text") for e in events} | {e.get("rationale") for e in events}
    for inj in private:
        assert inj.text not in shown_texts and inj.id not in shown_ids, (actor, inj.id)
        assert f"inject:{inj.id}" not in shown_ids, (actor, inj.id)
    # Ids are renumbered per seat (a gap would show a hidden move), so moves are compared by
    # what they are: every shown move is one the seat knows of, and every id it names is shown.
    known_moves = Counter(
        (e.round, e.actor, e.move, e.target)
        for e in truth.log
        if isinstance(e, MoveMade) and e.mid in knows
    )
    shown_moves = Counter(
        (e["round"], e["actor"], e["move"], e["target"]) for e in events if e["type"] == "move"
    )
    assert not shown_moves - known_moves, (actor, shown_moves - known_moves)
    move_ids = {e["mid"] for e in events if e["type"] == "move"}
    named = {e["mid"] for e in events if e["type"] in ("resolved", "breach")} | {
        e["source"] for e in events if e["type"] in ("effect", "revealed")
    }
    assert {i for i in named if i[:1] == "m"} <= move_ids, actor
    del secret_mids
    assert not others_reasons & shown_texts, actor
    assert [e["seq"] for e in events] == list(range(len(events)))
    for e in events:
        if e["type"] == "effect":
            assert e["name"] not in hidden, (actor, e)
            if e["name"] in world.sight.by_source and e["name"] not in world.visible[actor]:
                assert truth.cause_known(actor, knows, e), (actor, e)
        if e["type"] == "move" and e["actor"] != actor:
            assert e["rationale"] is None
        if e["type"] == "resolved":
            assert e["detected_by"] in ([], [actor])
        if e["type"] == "red_line":
            assert e["actor"] == actor


def audit_view(world: World, s: Session, truth: Truth, actor: str, *, exported: bool) -> None:
    """The seat's whole view: values, beliefs and events (and, with ``exported``, that its
    `export --as` holds exactly the same events)."""
    view = s.view(actor)
    hidden = hidden_names(world, actor)
    assert not hidden & set(view.values)
    assert not world.sight.by_source & set(view.values) - world.visible[actor]
    events = [dict(e) for e in view.events]
    audit_events(world, truth, actor, events)
    observed = {(e["name"], e["t"]) for e in events if e["type"] == "effect"} | {
        (name, e["t"]) for e in events if e["type"] == "revealed" for name in e["values"]
    }
    for name, belief in view.beliefs.items():
        if belief.seen_at is not None:
            assert (name, belief.seen_at) in observed, (actor, name, belief)
    exported = [
        e.to_dict() for e in redact_log(Log(s.header.to_dict(), s.log), actor, world).events
    ]
    assert exported == events


@pytest.mark.parametrize("scenario", library.scenario_ids())
def test_no_view_export_or_report_leaks(scenario: str) -> None:
    """Nothing outside a seat's sight reaches its view, its export or its report."""
    world = load_scenario(scenario)
    for seed in SEEDS:
        s = play(world, seed)
        truth = Truth(s)
        for actor in world.actors:
            audit_view(world, s, truth, actor, exported=seed % 20 == 0)
            if seed in REPORTED:
                report = write_report(s, world, as_actor=actor)
                for e in s.log:
                    if (
                        isinstance(e, InjectDelivered)
                        and e.audience != "public"
                        and actor not in e.audience
                    ):
                        assert e.text not in report, (scenario, seed, actor, e.id)
                    if isinstance(e, MoveMade) and e.actor != actor and e.rationale:
                        assert e.rationale not in report, (scenario, seed, actor)
