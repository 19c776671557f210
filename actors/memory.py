"""What a profile player remembers of the events its seat has seen (never the true state).

Read incrementally from the view's redacted event list: who caused the changes it saw (an
effect's source is a move it knows of, else "unknown" and counted for nobody), which agreements
another party broke, and how its own proposals fared. The player's red lines with ``caused_by``
read these tallies instead of the state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class Memory:
    """A seat's running account of its events; :meth:`copy` for a fork's own account."""

    __slots__ = ("broken", "caused", "closed", "movers", "read", "watched")

    def __init__(self, watched: frozenset[str]) -> None:
        self.watched = watched
        """State names whose causes are tallied (those a ``caused_by`` red line reads)."""
        self.read = 0
        """Events of the feed already read."""
        self.movers: dict[str, str] = {}
        """Move id -> actor, for the moves this seat knows of and whose effects it may see."""
        self.caused: dict[str, dict[str, float]] = {}
        """State name -> actor -> net change seen caused by that actor's moves."""
        self.broken: set[str] = set()
        """Agreements (ids) another party was seen to breach: no longer binding on this one."""
        self.closed: dict[str, str] = {}
        """Proposal id -> "rejected" or "expired", for those closed that this seat is party to."""

    def copy(self) -> Memory:
        """An independent copy (previews decide with forks and must not touch this one)."""
        twin = Memory(self.watched)
        twin.read = self.read
        twin.movers = dict(self.movers)
        twin.caused = {k: dict(v) for k, v in self.caused.items()}
        twin.broken = set(self.broken)
        twin.closed = dict(self.closed)
        return twin

    def update(self, actor: str, events: Sequence[Mapping[str, Any]]) -> None:
        """Read what was added to the seat's events since the last call."""
        watched = self.watched
        for e in events[self.read :]:
            kind = e["type"]
            if kind == "move":
                if watched:
                    self.movers[e["mid"]] = e["actor"]
            elif kind == "effect":
                if e["name"] in watched:
                    by = self.movers.get(e["source"])
                    if by is not None:
                        tally = self.caused.setdefault(e["name"], {})
                        tally[by] = tally.get(by, 0.0) + float(e["delta"])
            elif kind == "breach":
                if e["actor"] != actor:
                    self.broken.add(e["agreement"])
            elif kind == "proposal_closed":
                self.closed[e["id"]] = e["status"]
        self.read = len(events)

    def caused_by(self, name: str, actors: Sequence[str]) -> float:
        """Net change of ``name`` seen made by moves of ``actors``."""
        tally = self.caused.get(name)
        return sum(tally.get(a, 0.0) for a in actors) if tally else 0.0
