"""What an observer sees: what every actor sees, and nothing any one of them sees alone.

Built on :func:`sim.engine.view.redact` (the one fog-of-war function), so an observer can never
be shown more than the least-informed seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from sim.engine.events import Event
from sim.engine.state import State
from sim.engine.view import View, redact
from sim.engine.world import World


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

    def update(self, log: Sequence[Event], state: State, world: World) -> list[dict[str, Any]]:
        """Redact what was appended since the last call; the whole feed."""
        for event in log[self._read :]:
            data = public_redact(event, state, world)
            if data is not None:
                data["seq"] = len(self.events)
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
