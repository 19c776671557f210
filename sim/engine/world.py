"""The compiled world: the values the engine runs on (moves bound to actors, compiled
triggers, injects and end conditions, actor models), built once by :mod:`sim.engine.build`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.engine.expr import (
    Expr,
    ExprError,
    Value,
    bind,
    rebind,
)
from sim.engine.sight import Sight
from sim.models import ActorProfile, MoveType, Scenario
from sim.models.actor import Interest
from sim.models.scenario import EndCondition, Inject, Trigger


@dataclass(frozen=True, slots=True)
class CompiledEffect:
    """An effect with its state name template and compiled amount."""

    name: str
    """State name, possibly with ``self``/``target`` placeholders."""
    op: Literal["add", "set"]
    amount: Expr


@dataclass(frozen=True, slots=True)
class BoundEffect:
    """An effect with concrete names, ready to apply."""

    name: str
    op: Literal["add", "set"]
    amount: Expr


@dataclass(frozen=True, slots=True)
class MoveSpec:
    """A move type with its expressions compiled (placeholders unresolved)."""

    type: MoveType
    requires: Expr | None
    chance: Expr
    detection: Expr
    effects: tuple[CompiledEffect, ...]
    on_failure: tuple[CompiledEffect, ...]

    @property
    def id(self) -> str:
        """The move type id."""
        return self.type.id


@dataclass(frozen=True, slots=True)
class BoundMove:
    """A move as one actor uses it against one target (or none): everything resolved."""

    spec: MoveSpec
    actor: str
    target: str | None
    requires: Expr | None
    chance: Expr
    detection: Expr
    effects: tuple[BoundEffect, ...]
    on_failure: tuple[BoundEffect, ...]
    reveals: tuple[str, ...] = ()
    """State names whose values everyone who knows of the move learns when it succeeds."""


@dataclass(frozen=True, slots=True)
class CompiledTrigger:
    """A trigger with its condition and effects compiled."""

    spec: Trigger
    when: Expr
    effects: tuple[BoundEffect, ...]


@dataclass(frozen=True, slots=True)
class CompiledInject:
    """A scheduled inject with compiled effects."""

    spec: Inject
    effects: tuple[BoundEffect, ...]


@dataclass(frozen=True, slots=True)
class CompiledEnd:
    """An end condition with its condition compiled."""

    spec: EndCondition
    when: Expr


@dataclass(frozen=True, slots=True)
class BoundWant:
    """One state name an interest measures, with ``self`` bound to the actor."""

    name: str
    signed_weight: float
    """Utility per unit change at interest weight 1: the want's weight, negative when the actor
    wants the name lower and, for a number, divided by its declared range (a full-range swing is
    worth the want's weight whatever the units)."""


@dataclass(frozen=True, slots=True)
class WeightedInterest:
    """An interest of the profile as this scenario weighs it."""

    interest: Interest
    weight: float
    """The effective weight: the scenario's override, else the profile's."""
    wants: tuple[BoundWant, ...]
    """Only the wants whose state names this scenario defines."""


@dataclass(frozen=True, slots=True)
class RedLineRule:
    """A red line: when its condition holds, the actor answers with one of its responses."""

    id: str
    when: Expr
    """The condition, bound to the actor."""
    responses: tuple[str, ...]
    """Response move ids this actor may use, in the profile's order of preference."""
    target: str | None
    """The preferred target, when it is an actor of this scenario."""


@dataclass(frozen=True, slots=True)
class FactionShiftRule:
    """A change of a faction's influence each round its condition holds."""

    when: Expr
    by: float


@dataclass(frozen=True, slots=True)
class FactionModel:
    """A faction whose influence mixes the actor's interest weights."""

    id: str
    weight: float
    """The initial influence: the scenario's override, else the profile's."""
    multipliers: Mapping[str, float]
    """Interest id to the factor this faction applies to its weight (1.0 when absent)."""
    shifts: tuple[FactionShiftRule, ...]


@dataclass(frozen=True, slots=True)
class CompiledMessage:
    """A message rule with its condition compiled: the actor sends it when the condition holds."""

    when: Expr
    to: tuple[str, ...] | Literal["public"]
    """Recipients of this scenario other than the actor, or everyone."""
    text: str


@dataclass(frozen=True, slots=True)
class ActorModel:
    """An actor's profile as this scenario uses it: overrides applied, unusable items dropped."""

    id: str
    profile: ActorProfile
    interests: tuple[WeightedInterest, ...]
    red_lines: tuple[RedLineRule, ...]
    factions: tuple[FactionModel, ...]
    messages: tuple[CompiledMessage, ...]
    risk_tolerance: float
    escalation: float
    policy: str
    briefing: str


@dataclass(slots=True)
class World:
    """Everything the engine needs to run a scenario, compiled once."""

    scenario: Scenario
    actors: tuple[str, ...]
    names: frozenset[str]
    initial: dict[str, Value]
    ranges: dict[str, tuple[float, float]]
    """Declared (min, max) of every numeric state name; flags have none."""
    moves: dict[str, MoveSpec]
    usable: dict[str, tuple[str, ...]]
    """Actor id to the move ids it may use in this scenario, in catalogue order."""
    models: dict[str, ActorModel]
    injects: tuple[CompiledInject, ...]
    triggers: tuple[CompiledTrigger, ...]
    ends: tuple[CompiledEnd, ...]
    objectives: tuple[tuple[str, Expr | None], ...]
    content_hash: str
    sight: Sight
    """Who sees each state name; the rest is believed (:mod:`sim.engine.sight`)."""
    _bound: dict[tuple[str, str, str | None], BoundMove] = field(default_factory=dict, repr=False)
    _targets: dict[tuple[str, str], tuple[str | None, ...]] = field(
        default_factory=dict, repr=False
    )
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Derived data that computer players precompute once per world and reuse every session."""

    @property
    def visible(self) -> dict[str, frozenset[str]]:
        """Actor id to the state names whose current value it sees."""
        return self.sight.visible

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.scenario.id

    def known(self, name: str) -> bool:
        """Whether ``name`` is a state name of this world."""
        return name in self.names

    def bound_move(self, actor: str, move_id: str, target: str | None) -> BoundMove:
        """The move as ``actor`` uses it on ``target``; compiled on first use, then cached."""
        key = (actor, move_id, target)
        hit = self._bound.get(key)
        if hit is not None:
            return hit
        spec = self.moves[move_id]
        bindings = {"self": actor} if target is None else {"self": actor, "target": target}
        bound = BoundMove(
            spec=spec,
            actor=actor,
            target=target,
            requires=None if spec.requires is None else rebind(spec.requires, bindings, self.known),
            chance=rebind(spec.chance, bindings, self.known),
            detection=rebind(spec.detection, bindings, self.known),
            effects=tuple(bind_effect(e, bindings, self.known) for e in spec.effects),
            on_failure=tuple(bind_effect(e, bindings, self.known) for e in spec.on_failure),
            reveals=tuple(bind(n, bindings) for n in spec.type.reveals),
        )
        self._bound[key] = bound
        return bound

    def targets(self, actor: str, move_id: str) -> tuple[str | None, ...]:
        """The targets ``actor`` may choose for a move: ``(None,)`` for untargeted moves."""
        key = (actor, move_id)
        hit = self._targets.get(key)
        if hit is None:
            spec = self.moves[move_id].type
            allowed = spec.targets
            hit = (
                (None,)
                if spec.target == "none"
                else tuple(
                    a for a in self.actors if a != actor and (allowed is None or a in allowed)
                )
            )
            self._targets[key] = hit
        return hit


def bind_effect(
    effect: CompiledEffect, bindings: Mapping[str, str], known: Callable[[str], bool]
) -> BoundEffect:
    """Resolve an effect's placeholders for one actor (and target)."""
    return BoundEffect(
        bind(effect.name, bindings), effect.op, rebind(effect.amount, bindings, known)
    )


def bind_all(world: World) -> None:
    """Bind every usable move for every actor and target now, dropping the combinations whose
    names do not exist (``trust.self.dprk`` for the DPRK itself), so play never meets one."""
    for actor in world.actors:
        keep = []
        for move in world.usable[actor]:
            ok: list[str | None] = []
            for target in world.targets(actor, move):
                try:
                    world.bound_move(actor, move, target)
                except ExprError:
                    continue
                ok.append(target)
            world._targets[(actor, move)] = tuple(ok)
            if ok:
                keep.append(move)
        world.usable[actor] = tuple(keep)
