"""Logs leaving the engine: control's whole record, or what one actor could know and nothing more.

A redacted log is the actor's *view* of the log: its events are the seat's feed
(:class:`sim.engine.view.Feed`, the one fog-of-war function applied event by event against the
*final* state, so a secret move detected late is shown and one never detected is not), numbered
as the seat's view numbers them. ``export --as ACTOR`` therefore holds exactly what
``Session.view(ACTOR).events`` held at the end. The result is a valid log for reading and
reporting, not for replaying: its header says ``redacted_for``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine.events import from_dict
from sim.engine.expr import suggest
from sim.engine.session import Session
from sim.engine.state import fold
from sim.engine.view import Feed
from sim.engine.world import World
from sim.record.log import Log

if TYPE_CHECKING:  # the archive (SQLite, locks) is not needed to export a session in memory
    from sim.record.archive import Archive, Loader


class UnknownActor(ValueError):
    """The actor named for a redacted export is not in the scenario."""


def full_log(session: Session) -> Log:
    """Control's record of a session: its header and every event so far (not a seat's view)."""
    return Log(session.header.to_dict(), list(session.log))


def archived_log(archive: Archive, ref: str, *, load: Loader | None = None) -> Log:
    """The complete log of an archived session (replayed from its journal after a crash)."""
    return archive.log(ref, load=load)


def redact_log(log: Log, actor: str, world: World) -> Log:
    """``log`` as ``actor`` could know it: the events of its view, in its view's numbering.

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
    events = [from_dict(data) for data in Feed(actor).update(log.events, final, world)]
    # The seed goes too: with it and its own moves, a player could re-run the computer players
    # and recover every hidden move.
    return Log(dict(log.header) | {"redacted_for": actor, "seed": None}, events)
