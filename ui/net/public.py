"""What an observer sees: what every actor sees, and nothing any one of them sees alone.

Built on :func:`sim.engine.view.redact` (the one fog-of-war function), so an observer can never
be shown more than the least-informed seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.engine.events import Event
from sim.engine.expr import Expr
from sim.engine.sight import Sight
from sim.engine.state import State
from sim.engine.view import Renumber, View, redact
from sim.engine.world import ActorModel, MoveSpec, World


def public_redact(event: Event, state: State, world: World) -> dict[str, Any] | None:
    """The event as the public may see it, or None."""
    seen = [redact(event, actor, state, world) for actor in world.actors]
    if not seen or any(s is None for s in seen):
        return None
    data = dict(seen[0] or {})
    if "rationale" in data:
        data["rationale"] = None
    if "detected_by" in data:
        data["detected_by"] = []
    if any(s is not None and s.get("source") == "unknown" for s in seen):
        data["source"] = "unknown"
    return data


class PublicFeed:
    """The observers' events, extended as the log grows, numbered for them alone."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._read = 0
        self.numbering = Renumber()  # a gap in public ids would tell of a hidden move

    def update(self, log: Sequence[Event], state: State, world: World) -> list[dict[str, Any]]:
        """Redact what was appended since the last call; the whole feed."""
        for event in log[self._read :]:
            data = public_redact(event, state, world)
            if data is not None:
                data["seq"] = len(self.events)
                self.numbering.event(data)
                self.events.append(data)
        self._read = len(log)
        return self.events


def public_view(control: View, world: World) -> View:
    """The observers' view, cut down from control's: public values, no beliefs, no options."""
    names = frozenset.intersection(*(world.visible[a] for a in world.actors))
    return replace(
        control,
        values={k: v for k, v in control.values.items() if k in names},
        beliefs={},
        events=(),
        proposals=(),
        agreements=(),
        options=(),
        legal=frozenset(),
        factions={},
        briefing=world.scenario.briefing,
    )


def wire_view(v: View) -> dict[str, Any]:
    """:meth:`View.to_json` without events, built directly: ``asdict``'s deep copies were most
    of the server's cost per view. A test holds it equal to ``to_json``."""
    return {
        "actor": v.actor,
        "round": v.round,
        "rounds": v.rounds,
        "t": v.t,
        "outcome": v.outcome,
        "paused": v.paused,
        "values": dict(v.values),
        "beliefs": {k: [b.value, b.seen_at] for k, b in v.beliefs.items()},
        "events": [],
        "proposals": [
            {
                "id": p.id,
                "sender": p.sender,
                "parties": list(p.parties),
                "title": p.title,
                "terms": p.terms.model_dump(mode="json"),
                "expires": p.expires,
                "answers": dict(p.answers),
            }
            for p in v.proposals
        ],
        "agreements": [
            {
                "id": a.id,
                "title": a.title,
                "parties": list(a.parties),
                "commitments": [asdict(c) for c in a.commitments],
            }
            for a in v.agreements
        ],
        "options": [
            {
                "move": o.move,
                "target": o.target,
                "chance": o.chance,
                "detection": o.detection,
                "expected": dict(o.expected),
                "breaks": list(o.breaks),
            }
            for o in v.options
        ],
        "legal": sorted(v.legal, key=lambda mt: (mt[0], mt[1] or "")),
        "factions": dict(v.factions),
        "briefing": v.briefing,
    }


# -- the public catalogue ------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorLabel(_Strict):
    """An actor as every seat may name it."""

    id: str = Field(description="The actor's id.")
    name: str = Field(description="Full name.")
    short: str = Field(description="Short name for tables and prompts.")


class IndicatorLabel(_Strict):
    """An indicator the seat sees."""

    id: str = Field(description="Its state name.")
    label: str = Field(description="Label shown to players.")
    description: str = Field(default="", description="What it measures.")
    min: float = Field(description="Lowest value.")
    max: float = Field(description="Highest value.")


class VariableLabel(_Strict):
    """A per-actor variable's label."""

    id: str = Field(description="Name, used as ACTOR.NAME.")
    label: str = Field(description="Label shown to players.")


class MoveLabel(_Strict):
    """A move type as players read it: no conditions, chances or effects (those depend on the
    state; the seat's view carries its options, computed from its beliefs)."""

    id: str = Field(description="Move type id.")
    name: str = Field(description="Short label.")
    category: str = Field(description="Instrument of power.")
    escalation: int = Field(description="Escalation level.")
    description: str = Field(default="", description="What the move is.")
    target: Literal["none", "actor"] = Field(description="Whether it is aimed at an actor.")
    duration: float = Field(description="Sim hours it takes.")
    visibility: str = Field(description="Who learns of it.")
    tags: list[str] = Field(default_factory=list, description="Tags agreements can name.")


class Catalogue(_Strict):
    """What a client needs to word its view: labels, clock and move names, and the starting
    values of the names its seat sees. Never the injects to come, triggers, end conditions,
    actor profiles beyond their names, or anything its seat does not see."""

    id: str = Field(description="The scenario id.")
    title: str = Field(description="The scenario's title.")
    summary: str = Field(description="One paragraph about the exercise.")
    start: str = Field(description="Sim clock start (ISO date or a label).")
    round_hours: float = Field(description="Sim hours per round.")
    rounds: int = Field(description="Number of rounds.")
    per_round: int = Field(description="Most moves a seat makes in a round.")
    actors: list[ActorLabel] = Field(description="Every actor, in scenario order.")
    indicators: list[IndicatorLabel] = Field(description="Indicators the seat sees.")
    variables: list[VariableLabel] = Field(description="Per-actor variables (labels).")
    moves: list[MoveLabel] = Field(description="The scenario's move types.")
    visible: list[str] = Field(description="State names the seat sees.")
    initial: dict[str, bool | float] = Field(description="Starting values of those names.")


def seen_names(world: World, key: str | None) -> frozenset[str]:
    """The names ``key`` sees: an actor's own, control's all, the observers' common ones."""
    if key is None:
        return world.names
    if key in world.visible:
        return world.visible[key]
    return frozenset.intersection(*(world.visible[a] for a in world.actors))


def catalogue(world: World, key: str | None) -> Catalogue:
    """The public catalogue for ``key`` (an actor, None for control, anything else: public)."""
    sc = world.scenario
    seen = seen_names(world, key)
    return Catalogue(
        id=sc.id,
        title=sc.title,
        summary=sc.summary,
        start=sc.clock.start,
        round_hours=sc.clock.round_hours,
        rounds=sc.clock.rounds,
        per_round=sc.moves.per_round,
        actors=[
            ActorLabel(
                id=a,
                name=world.models[a].profile.name if a in world.models else a,
                short=world.models[a].profile.short if a in world.models else a,
            )
            for a in world.actors
        ],
        indicators=[
            IndicatorLabel(id=i.id, label=i.label, description=i.description, min=i.min, max=i.max)
            for i in sc.indicators
            if i.id in seen
        ],
        variables=[VariableLabel(id=v.id, label=v.label) for v in sc.variables],
        moves=[
            MoveLabel(
                id=m.type.id,
                name=m.type.name,
                category=m.type.category,
                escalation=m.type.escalation,
                description=m.type.description,
                target=m.type.target,
                duration=m.type.duration,
                visibility=str(m.type.visibility),
                tags=list(m.type.tags),
            )
            for m in world.moves.values()
        ],
        visible=sorted(seen),
        initial={n: world.initial[n] for n in sorted(seen) if n in world.initial},
    )


def constant(value: float) -> Expr:
    return Expr(source=repr(value), fn=lambda _v: value, names=frozenset(), constant=value)


def world_from_catalogue(cat: Catalogue, key: str | None) -> World:
    """A :class:`World` holding only the catalogue, for the screens' labels on a client.

    It cannot run the game (no rules, no injects, no profiles): the server does that. ``key``
    is whose sight it is (an actor, or None for control and observers).
    """
    from sim.models.actor import ActorProfile
    from sim.models.moves import MoveType
    from sim.models.scenario import Clock, Indicator, MoveSet, Participant, Scenario, Variable

    actors = tuple(a.id for a in cat.actors)
    seen = frozenset(cat.visible)
    scenario = Scenario.model_construct(
        kind="scenario",
        id=cat.id,
        title=cat.title,
        summary=cat.summary,
        briefing="",
        clock=Clock.model_construct(
            start=cat.start, round_hours=cat.round_hours, rounds=cat.rounds
        ),
        actors=[Participant.model_construct(id=a) for a in actors],
        indicators=[
            Indicator.model_construct(
                id=i.id,
                label=i.label,
                description=i.description,
                min=i.min,
                max=i.max,
                initial=float(cat.initial.get(i.id, i.min)),
            )
            for i in cat.indicators
        ],
        variables=[Variable.model_construct(id=v.id, label=v.label) for v in cat.variables],
        moves=MoveSet.model_construct(per_round=cat.per_round),
        # Hidden until the end; control's debrief fills them in (ui.tui.remote.debrief_world).
        end_conditions=[],
        objectives=[],
    )
    zero = constant(0.0)
    moves = {
        m.id: MoveSpec(
            type=MoveType.model_construct(
                id=m.id,
                name=m.name,
                category=m.category,
                escalation=m.escalation,
                description=m.description,
                target=m.target,
                duration=m.duration,
                visibility=m.visibility,
                tags=list(m.tags),
            ),
            requires=None,
            chance=zero,
            detection=zero,
            effects=(),
            on_failure=(),
        )
        for m in cat.moves
    }
    models = {
        a.id: ActorModel(
            id=a.id,
            profile=ActorProfile.model_construct(id=a.id, name=a.name, short=a.short),
            interests=(),
            red_lines=(),
            factions=(),
            messages=(),
            risk_tolerance=0.0,
            escalation=0.0,
            policy="",
            briefing="",
        )
        for a in cat.actors
    }
    visible = {a: (seen if key in (a, None) else frozenset()) for a in actors}
    return World(
        scenario=scenario,
        actors=actors,
        names=seen,
        initial=dict(cat.initial),
        ranges={},
        moves=moves,
        usable={},
        models=models,
        injects=(),
        triggers=(),
        ends=(),
        objectives=(),
        content_hash="",
        sight=Sight(visible=visible, believers={}, by_source=frozenset()),
    )
