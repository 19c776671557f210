"""End conditions one step away: what the facilitator is warned of before closing a round.

The rule (kept simple so a facilitator can predict it): an *immediate* end condition is one step
away when it does not hold on the current values but would hold after the effects of a single
legal move by any actor, success or failure branch, applied at once on the current values (the
one-step look-ahead of :func:`~sim.engine.adjudicate.expected_deltas`, ignoring delays and
interactions between moves). In the last round, the condition the clock would end on (the
first that holds now) is reported too. Reads values only, so it works from the control seat's
omniscient view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.engine.adjudicate import effect_result, probability
from sim.engine.expr import Value
from sim.engine.world import BoundEffect, World


@dataclass(frozen=True, slots=True)
class NearEnd:
    """An end condition that the next step could meet."""

    id: str
    title: str
    immediate: bool
    by: tuple[tuple[str, str, str | None], ...]
    """(actor, move, target) of the legal moves that would meet it (empty for clock ends)."""


def _after(
    world: World, values: Mapping[str, Value], effects: tuple[BoundEffect, ...]
) -> dict[str, Value]:
    out = dict(values)
    for eff in effects:
        old = values[eff.name]
        if isinstance(old, bool):
            out[eff.name] = bool(eff.amount(values))
        else:
            out[eff.name] = effect_result(values, world.ranges, eff)[0]
    return out


def near_ends(
    world: World, values: Mapping[str, Value], round_no: int, rounds: int
) -> list[NearEnd]:
    """End conditions one step away (see the module docstring), in scenario order."""
    pending = [e for e in world.ends if e.spec.immediate and not e.when(values)]
    found: dict[str, list[tuple[str, str, str | None]]] = {e.spec.id: [] for e in pending}
    if pending:
        for actor in world.actors:
            for move in world.usable[actor]:
                for target in world.targets(actor, move):
                    bound = world.bound_move(actor, move, target)
                    if bound.requires is not None and not bound.requires(values):
                        continue
                    p = probability(bound.chance(values))
                    branches = [b for w, b in ((p, bound.effects), (1 - p, bound.on_failure)) if w]
                    for effects in branches:
                        if not effects:
                            continue
                        after = _after(world, values, effects)
                        for end in pending:
                            hits = found[end.spec.id]
                            if end.when(after) and (actor, move, target) not in hits:
                                hits.append((actor, move, target))
    out = [
        NearEnd(e.spec.id, e.spec.title, True, tuple(found[e.spec.id]))
        for e in pending
        if found[e.spec.id]
    ]
    if round_no >= rounds:
        # The clock runs out when this round closes: the first clock condition that holds wins.
        final = next((e for e in world.ends if e.when(values)), None)
        if final is not None:
            out.append(NearEnd(final.spec.id, final.spec.title, False, ()))
    return out
