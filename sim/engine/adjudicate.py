"""Adjudication rules as pure functions of the state and the engine's keyed randomness.

Nothing here mutates state or reads the clock: the session calls these and records what they
decide as events. The computer players call the same functions to look ahead, so they reason with
the engine's own effect model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.engine.clamp import clamp
from sim.engine.decimals import round6
from sim.engine.events import Outcome
from sim.engine.expr import SCENARIO_FILE, Expr, NonFinite, Value
from sim.engine.fastinit import fast_init
from sim.engine.rng import draw
from sim.engine.state import State
from sim.engine.world import BoundEffect, BoundMove, World


@dataclass(frozen=True, slots=True)
class Ruling:
    """The adjudication of one move, before it is committed."""

    mid: str
    actor: str
    move: str
    target: str | None
    chance: float
    roll: float
    outcome: Outcome
    detected_by: tuple[str, ...]
    override_note: str | None = None


fast_init(Ruling)  # one per move made


def probability(value: Value) -> float:
    """Clamp an authored chance to [0, 1]."""
    return clamp(float(value), 0.0, 1.0)


def illegal(world: World, state: State, actor: str, move_id: str, target: str | None) -> str | None:
    """Why ``actor`` may not use ``move_id`` on ``target`` now, or None if it may."""
    spec = world.moves.get(move_id)
    if spec is None or move_id not in world.usable[actor]:
        return f"{actor} cannot use move '{move_id}' in this scenario"
    mt = spec.type
    if mt.target == "none":
        if target is not None:
            return f"'{move_id}' takes no target"
    elif target is None:
        return f"'{move_id}' needs a target"
    elif target not in world.targets(actor, move_id):
        return f"'{move_id}' cannot target '{target}'"
    bound = world.bound_move(actor, move_id, target)
    if bound.requires is not None and not bound.requires(state.values):
        return f"'{move_id}' is not possible now: requires {mt.requires}"
    return None


def rule(world: World, state: State, seed: int, mid: str, bound: BoundMove) -> Ruling:
    """Roll success and detection for one move on the state at decision time."""
    chance, roll, outcome, detected = ruled(world, state, seed, mid, bound)
    forced = state.overrides.get(mid)
    note = None if forced is None else forced[1]
    return Ruling(
        mid, bound.actor, bound.spec.id, bound.target, chance, roll, outcome, detected, note
    )


def ruled(
    world: World, state: State, seed: int, mid: str, bound: BoundMove
) -> tuple[float, float, Outcome, tuple[str, ...]]:
    """:func:`rule`'s chance, roll, outcome and detections, without the :class:`Ruling` (the
    kernel records them straight into a ``Resolved`` event, a dozen times a round)."""
    values = state.values
    try:
        raw = bound.chance.fn(values)
        chance = float(raw)
        chance = 0.0 if chance < 0.0 else 1.0 if chance > 1.0 else chance  # probability(raw)
    except (ArithmeticError, ValueError):  # an integer too large for a float, round(x, nan)
        raw = math.nan
    if raw - raw:  # NaN or an infinity (x - x is 0 for every finite x)
        raise non_finite(world, state, bound.chance, ("chance", bound.spec.id))
    roll = draw(f"{seed}|success|{mid}")  # uniform(seed, "success", mid)
    outcome: Outcome = "success" if roll < chance else "failure"
    detected: tuple[str, ...] = ()
    if bound.spec.type.visibility == "secret":
        try:
            raw = bound.detection.fn(values)
            p = probability(raw)
        except (ArithmeticError, ValueError):
            raw = math.nan
        if raw - raw:
            raise non_finite(world, state, bound.detection, ("detection", bound.spec.id))
        if p > 0:
            detected = tuple(
                a for a in world.actors if a != bound.actor and draw(f"{seed}|detect|{mid}|{a}") < p
            )
    if state.overrides:
        forced = state.overrides.get(mid)
        if forced is not None:
            # A cancelled move never happened: nobody can detect it.
            return chance, roll, forced[0], () if forced[0] == "cancelled" else detected
    return chance, roll, outcome, detected


def non_finite(world: World, state: State, expr: Expr, where: tuple[str, ...]) -> NonFinite:
    """The error for ``expr`` computing no finite number now (see :class:`NonFinite`)."""
    return NonFinite(expr.source, where, state.round, world.memo.get(SCENARIO_FILE))


def effect_result(
    values: Mapping[str, Value], ranges: Mapping[str, tuple[float, float]], effect: BoundEffect
) -> tuple[Value, float]:
    """The new value of the effect's state name and the change actually made: clamped, then
    rounded to 6 decimals (see :mod:`sim.engine.clamp` for why the players do not round).

    Both are NaN when the amount is not a finite number (NaN, an infinity, an integer too large
    for a float): look-aheads carry it as it is, the kernel refuses it (:class:`NonFinite`).
    """
    name = effect.name
    old = values[name]
    expr = effect.amount
    amount = expr.constant
    try:
        if amount is None:
            amount = expr.fn(values)
        if effect.op == "set":
            if isinstance(old, bool):
                return bool(amount), 0.0
            new = float(amount)
        else:
            new = float(old) + float(amount)
    except (ArithmeticError, ValueError):  # an integer too large for a float, round(x, nan)
        return math.nan, math.nan
    if new - new:  # NaN or an infinity (x - x is 0 for every finite x)
        return math.nan, math.nan
    lo, hi = ranges[name]
    new = round6(lo if new < lo else hi if new > hi else new)  # clamp(new, lo, hi), inlined
    return new, round6(new - float(old))


def expected_deltas(
    world: World, values: Mapping[str, Value], bound: BoundMove
) -> dict[str, float]:
    """Expected change of each numeric state name if the move is made now (chance-weighted).

    Flags count as 0/1 so that interests may weigh them. Effects are evaluated on the current
    values, a one-step look-ahead that ignores interactions between effects of one move.
    """
    p = probability(bound.chance.fn(values))
    ranges = world.ranges
    out: dict[str, float] = {}
    for weight, effects in ((p, bound.effects), (1.0 - p, bound.on_failure)):
        if weight <= 0:
            continue
        for eff in effects:
            name = eff.name
            old = values[name]
            expr = eff.amount
            amount = expr.constant
            if amount is None:
                amount = expr.fn(values)
            if isinstance(old, bool):
                delta = float(bool(amount)) - float(old)
            else:
                # effect_result's arithmetic, inlined: the players call this ~15 times a round.
                new = float(amount) if eff.op == "set" else float(old) + float(amount)
                lo, hi = ranges[name]
                new = round6(lo if new < lo else hi if new > hi else new)
                delta = round6(new - float(old))
            out[name] = out.get(name, 0.0) + weight * delta
    return out


def breached(state: State, actor: str, move_id: str, tags: list[str]) -> list[str]:
    """Agreements in force whose commitments forbid this move for this actor."""
    hits: list[str] = []
    t = state.t
    for ag in state.agreements.values():
        for c in ag.commitments:
            # The cheap tests first (all three are pure): most commitments have lapsed.
            if c.until < t:
                continue
            forbid = c.forbid
            hit = move_id in forbid
            if not hit:
                for tag in tags:  # any(tag in forbid for tag in tags), without a generator
                    if tag in forbid:
                        hit = True
                        break
            if hit and c.binds(actor, ag.parties):
                hits.append(ag.id)
                break
    return hits
