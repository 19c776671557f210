"""The compiled world: the values the engine runs on (moves bound to actors, compiled
triggers, injects and end conditions, actor models), built once by :mod:`sim.engine.build`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.engine.expr import (
    Expr,
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
class ActorModel:
    """An actor's profile as this scenario uses it: overrides applied, unusable items dropped."""

    id: str
    profile: ActorProfile
    interests: tuple[tuple[Interest, float, tuple[tuple[str, float], ...]], ...]
    """(interest, effective weight, ((bound state name, signed weight), ...))."""
    red_lines: tuple[tuple[str, Expr, tuple[str, ...], str | None], ...]
    """(red line id, bound condition, response move ids usable by this actor, preferred
    target)."""
    factions: tuple[tuple[str, float, Mapping[str, float], tuple[tuple[Expr, float], ...]], ...]
    """(faction id, initial weight, interest multipliers, ((bound condition, shift), ...))."""
    messages: tuple[tuple[Expr, tuple[str, ...] | Literal["public"], str], ...]
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
