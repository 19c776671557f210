"""What an actor sees: the one place where fog of war is decided.

``redact(event, actor, state)`` says whether and how one event appears to one actor; ``view``
assembles an actor's whole picture from it. Front ends, computer players, exports and reports all
go through these two functions, so no screen or file can leak another seat's secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    EffectApplied,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Overridden,
    ProposalClosed,
    Resolved,
    RoundClosed,
    TriggerFired,
)
from sim.engine.expr import Value
from sim.engine.state import Proposal, State
from sim.engine.world import World

CONTROL = None
"""Pass as the actor to see everything (the control seat)."""


def _knows_move(state: State, mid: str, actor: str) -> bool:
    rec = state.moves.get(mid)
    if rec is None:
        return False
    return rec.visibility == "public" or actor in rec.known_by


def redact(event: Event, actor: str | None, state: State, world: World) -> dict[str, Any] | None:
    """The event as ``actor`` may see it (a dict), or None if it may not see it at all.

    ``state`` must be a state at or after the event (detections are revealed retroactively).
    """
    data = event.to_dict()
    if actor is None:
        return data
    if isinstance(event, MoveMade | Resolved):
        if not _knows_move(state, event.mid, actor):
            return None
        if isinstance(event, MoveMade) and event.actor != actor:
            data["rationale"] = None  # a computer player's reasoning is its own secret
        if isinstance(event, Resolved) and event.detected_by:
            # Detectors know they saw it; nobody, the mover included, learns who else did.
            data["detected_by"] = [actor] if actor in event.detected_by else []
        return data
    if isinstance(event, EffectApplied):
        if event.name not in world.visible[actor]:
            return None
        if event.source in state.moves and not _knows_move(state, event.source, actor):
            data["source"] = "unknown"
        elif event.source.startswith("inject:"):
            audience = state.private_injects.get(event.source[7:])
            if audience is not None and actor not in audience:
                data["source"] = "unknown"
        elif event.source.startswith("trigger:"):
            data["source"] = "unknown"  # players see consequences, not the scenario's rules
        elif event.source.startswith(("agreement:", "breach:")):
            pid = event.source.split(":", 1)[1]
            if actor not in state.parties.get(pid, ()):
                data["source"] = "unknown"
        return data
    if isinstance(event, MessageSent):
        if event.to == "public" or actor == event.sender or actor in event.to:
            return data
        return None
    if isinstance(event, InjectDelivered):
        return data if event.audience == "public" or actor in event.audience else None
    if isinstance(event, Answered):
        return data if actor in state.parties.get(event.proposal, ()) else None
    if isinstance(event, Breach):
        # Seen by parties that know the move: a secret breach goes unnoticed until detected.
        return data if actor in event.parties and _knows_move(state, event.mid, actor) else None
    if isinstance(event, AgreementMade | ProposalClosed):
        return data if actor in event.parties else None
    if isinstance(event, FactionShift):
        return data if actor == event.actor else None
    if isinstance(event, Overridden | TriggerFired):
        return None
    if isinstance(event, RoundClosed):
        # The hash covers hidden values: with the seed it would let a player test guesses.
        data["hash"] = ""
    return data


@dataclass(frozen=True)
class View:
    """One actor's picture of the exercise at one moment (``actor`` None: the control seat)."""

    actor: str | None
    world: World
    state: State
    log: Sequence[Event]

    @property
    def round(self) -> int:
        """The current round (the decision window now open)."""
        return self.state.round

    @property
    def t(self) -> float:
        """Sim hours since the start."""
        return self.state.t

    @cached_property
    def values(self) -> dict[str, Value]:
        """The state values this actor can see."""
        if self.actor is None:
            return dict(self.state.values)
        names = self.world.visible[self.actor]
        return {k: v for k, v in self.state.values.items() if k in names}

    @cached_property
    def believed(self) -> dict[str, Value]:
        """Every state name, as this actor believes it: what it can see at its current value,
        the rest (hidden indicators, others' variables) at the value it started with. Computer
        players reason on this, so they never act on information their seat does not have."""
        if self.actor is None:
            return dict(self.state.values)
        key = ("hidden-initial", self.actor)
        hidden = self.world.memo.get(key)
        if hidden is None:
            names = self.world.visible[self.actor]
            hidden = {k: v for k, v in self.world.initial.items() if k not in names}
            self.world.memo[key] = hidden
        # Copy then overwrite the few hidden names: two C-level passes, for every decision.
        believed = dict(self.state.values)
        believed.update(hidden)
        return believed

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        """Visible events from log position ``since`` on, redacted for this actor."""
        out = []
        for event in self.log[since:]:
            data = redact(event, self.actor, self.state, self.world)
            if data is not None:
                out.append(data)
        return out

    @property
    def proposals(self) -> list[Proposal]:
        """Open proposals this actor is party to (all of them for control)."""
        return [
            p
            for p in self.state.proposals.values()
            if self.actor is None or self.actor in p.parties
        ]

    @property
    def awaiting_answer(self) -> list[Proposal]:
        """Open proposals this actor has not yet answered."""
        return [p for p in self.proposals if self.actor is not None and self.actor not in p.answers]

    @property
    def briefing(self) -> str:
        """The public briefing, then this actor's private one."""
        public = self.world.scenario.briefing
        if self.actor is None or self.actor not in self.world.models:
            return public
        private = self.world.models[self.actor].briefing
        return f"{public}\n\n{private}" if private else public
