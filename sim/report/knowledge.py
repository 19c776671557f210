"""Who knew what, when: each actor's private picture, decided by :func:`sim.engine.view.redact`
alone.

An actor learns of another's move when it is made (public moves, or moves aimed at it with
``visibility: target``) or when it detects it (secret moves, at their resolution). The control
report also lists what each actor never learned and what it believed at the end; a redacted
report reads its reader's own log only (every event in it was seen), so it cannot say what the
reader never learned, and does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.engine.events import InjectDelivered, MessageSent, MoveMade, Resolved
from sim.engine.expr import Value
from sim.engine.state import State, fold
from sim.engine.view import redact
from sim.engine.world import World
from sim.record.log import Log
from sim.report.labels import state_labels


@dataclass(frozen=True, slots=True)
class Fact:
    """Something one actor knew from a moment on."""

    t: float
    round: int
    text: str
    how: str
    """"public", "as target", "detected", "told" or "briefed"."""


@dataclass(frozen=True, slots=True)
class Knowledge:
    """One actor's knowledge over the exercise."""

    actor: str
    learned: tuple[Fact, ...]
    """What it knew that not everyone knew, and others' moves, in order of learning."""
    unaware: tuple[Fact, ...]
    """Others' secret moves it never detected (control report only)."""
    hidden: tuple[str, ...]
    """Indicators it could not see."""
    believed: tuple[tuple[str, Value, float], ...] = ()
    """(label, value, sim hour last observed) of what it could not see but observed, as it
    believed them at the end (beliefs, not the truth)."""


def knowledge(
    log: Log,
    world: World,
    reader: str | None,
    names: dict[str, str],
    believed: Mapping[str, tuple[Value, float]] | None = None,
) -> dict[str, Knowledge]:
    """Every actor's knowledge (control report, from the whole log) or the reader's alone
    (redacted report: ``log`` is its own, ``believed`` its final beliefs folded from it)."""
    resolved = {e.mid: e for e in log.events if isinstance(e, Resolved)}
    if reader is not None:
        return {reader: _one(log, world, None, reader, resolved, names, believed or {})}
    final = fold(world, log.events)
    return {
        a: _one(log, world, final, a, resolved, names, final.beliefs.get(a, {}))
        for a in world.actors
    }


def _one(
    log: Log,
    world: World,
    final: State | None,
    actor: str,
    resolved: dict[str, Resolved],
    names: dict[str, str],
    believed: Mapping[str, tuple[Value, float]],
) -> Knowledge:
    """``final`` None: ``log`` is already ``actor``'s own, so it saw every event in it."""
    learned: list[Fact] = []
    unaware: list[Fact] = []
    for e in log.events:
        seen = final is None or redact(e, actor, final, world) is not None
        if isinstance(e, MoveMade) and e.actor != actor:
            name = world.moves[e.move].type.name
            target = f" → {names.get(e.target, e.target)}" if e.target else ""
            text = f"{names.get(e.actor, e.actor)}: {name}{target} (round {e.round})"
            res = resolved.get(e.mid)
            if not seen:
                if e.visibility == "secret":
                    unaware.append(Fact(e.t, e.round, text, "never detected"))
            elif e.visibility == "public":
                learned.append(Fact(e.t, e.round, text, "public"))
            elif res is not None and actor in res.detected_by:
                learned.append(Fact(res.t, res.round, text, "detected"))
            else:
                learned.append(Fact(e.t, e.round, text, "as target"))
        elif isinstance(e, MessageSent) and seen and e.to != "public" and e.sender != actor:
            sender = names.get(e.sender, e.sender)
            learned.append(Fact(e.t, e.round, f"message from {sender}: {e.text}", "told"))
        elif isinstance(e, InjectDelivered) and seen and e.audience != "public":
            learned.append(Fact(e.t, e.round, f"{e.title}", "briefed"))
    learned.sort(key=lambda f: f.t)  # detections are learned at resolution, after the move
    hidden = tuple(i.label for i in world.scenario.indicators if i.id not in world.visible[actor])
    label = state_labels(world)
    beliefs = tuple(
        (label.get(n, n), v, at)
        for n, (v, at) in sorted(believed.items(), key=lambda b: (b[1][1], b[0]))
    )
    return Knowledge(actor, tuple(learned), tuple(unaware), hidden, beliefs)
