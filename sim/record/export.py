"""Role-redacted logs: what one actor could know, and nothing more.

Every event goes through :func:`sim.view.redact` (the one fog-of-war function) against the *final*
state, so a secret move detected late is shown, and one never detected is not. The result is a
valid log for reading and reporting, not for replaying: its header says ``redacted_for``.
"""

from __future__ import annotations

from sim.engine.events import Event, from_dict
from sim.engine.expr import suggest
from sim.engine.state import fold
from sim.engine.view import redact
from sim.engine.world import World
from sim.record.log import Log


class UnknownActor(ValueError):
    """The actor named for a redacted export is not in the scenario."""


def redact_log(log: Log, actor: str, world: World) -> Log:
    """``log`` as ``actor`` could know it.

    Events are renumbered: gaps in ``seq`` would tell how many events were hidden, and when.
    """
    if actor not in world.actors:
        raise UnknownActor(
            f"unknown actor '{actor}'{suggest(actor, world.actors)} "
            f"(this scenario's actors: {', '.join(world.actors)})"
        )
    if log.header.get("redacted_for"):
        if log.header["redacted_for"] == actor:
            return log
        raise UnknownActor(f"this log is already redacted for {log.header['redacted_for']}")
    final = fold(world, log.events)
    events: list[Event] = []
    for event in log.events:
        data = redact(event, actor, final, world)
        if data is not None:
            data["seq"] = len(events)
            events.append(from_dict(data))
    # The seed goes too: with it and its own moves, a player could re-run the computer players
    # and recover every hidden move.
    return Log(dict(log.header) | {"redacted_for": actor, "seed": None}, events)
