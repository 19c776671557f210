"""Indicator histories for sparklines, folded from what a seat has seen.

A seat's history must come from its own view: folding the visible ``effect`` events (not the
engine's state) guarantees a chart never shows a value the seat was not told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sim.engine.expr import Value
from sim.engine.world import World


def histories(
    world: World, actor: str | None, events: Iterable[Mapping[str, Any]], names: Iterable[str]
) -> dict[str, list[float]]:
    """Each name's value at the start and at the end of every closed round, then now.

    ``events`` are the actor's redacted events from the start of the log.
    """
    wanted = list(names)
    visible = world.visible[actor] if actor is not None else world.names
    current: dict[str, Value] = {n: world.initial[n] for n in wanted if n in visible}
    out: dict[str, list[float]] = {n: [float(v)] for n, v in current.items()}
    for event in events:
        kind = event["type"]
        if kind == "effect" and event["name"] in current:
            current[event["name"]] = event["value"]
        elif kind == "round_closed":
            for n, v in current.items():
                out[n].append(float(v))
    for n, v in current.items():
        if out[n][-1] != float(v) or len(out[n]) == 1:
            out[n].append(float(v))
    return out


def ladder(
    events: Iterable[Mapping[str, Any]], actors: Iterable[str], rounds: int
) -> dict[str, list[int | None]]:
    """The highest escalation level each actor used in each round (None: no visible move)."""
    out: dict[str, list[int | None]] = {a: [None] * rounds for a in actors}
    for event in events:
        if event["type"] != "move" or event["actor"] not in out:
            continue
        r = int(event["round"]) - 1
        row = out[event["actor"]]
        if 0 <= r < rounds:
            level = int(event["escalation"])
            prev = row[r]
            row[r] = level if prev is None else max(prev, level)
    return out
