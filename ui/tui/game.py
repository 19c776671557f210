"""The hotseat flow around one session: who sits at the keyboard next. No game rules here.

The session decides everything about the game; this module only orders the screens of a round:
every human seat in scenario order (each first reads its results of the last round), then the
control seat, which closes the round. Session creation goes through one factory so that the
session archive (resume) can wrap it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sim.engine.events import Seat
from sim.engine.session import Session
from sim.engine.view import View
from sim.engine.world import World


@dataclass(frozen=True, slots=True)
class Setup:
    """What the setup screen decides: scenario, seats, seed, rounds and a round clock."""

    world: World
    ref: str
    """How the scenario was named (id or path), recorded in the log header."""
    seats: Mapping[str, Seat]
    seed: int
    round_minutes: int | None = None
    """A wall-clock reminder per round (the game's pace, not the simulation's): None, none."""
    rounds: int | None = None
    """Rounds to play, at most the scenario's (None: the scenario's)."""


SessionFactory = Callable[[Setup], Session]


def new_session(setup: Setup) -> Session:
    """The one place a TUI session is created (the archive wraps this to record and resume)."""
    return Session(
        setup.world, setup.seed, dict(setup.seats), scenario_ref=setup.ref, rounds=setup.rounds
    )


StepKind = Literal["seat", "control", "results", "debrief"]
"""``results``: after the end, a seat reads its last round's results before the debrief."""


@dataclass(frozen=True, slots=True)
class Step:
    """One turn at the keyboard."""

    kind: StepKind
    actor: str | None = None


@dataclass
class Game:
    """A session plus where the hotseat rotation stands."""

    session: Session
    round_minutes: int | None = None
    """Wall-clock minutes a round should take (shown as a countdown); None: no round clock."""
    round_started: float | None = None
    """``time.monotonic()`` when the current round's window opened (with a round clock)."""
    last_round: int | None = None
    """The round that closed last, for the results screens."""
    _read: dict[str | None, int] = field(default_factory=dict)
    """Seat (None: control) to how many events of its own view it had read when the last round's
    results begin: each view numbers its events for itself, so each is sliced by its own count."""
    _since: dict[str | None, int] = field(default_factory=dict)
    """The same counts after the last close: where the next round's results begin, so what
    happens during a decision window (control's ad hoc injects) is in that round's results."""
    _told: set[str] = field(default_factory=set)
    """Seats that have read their final results after the end."""
    _queue: list[Step] = field(default_factory=list)

    @property
    def world(self) -> World:
        """The compiled scenario."""
        return self.session.world

    def control_view(self) -> View:
        """The facilitator's omniscient view now."""
        return self.session.view(None)

    def humans(self) -> list[str]:
        """Human seats in scenario order."""
        return [a for a in self.world.actors if self.session.seats[a] == "human"]

    def next_step(self) -> Step:
        """The next turn: seats that still owe orders, then control; the debrief at the end."""
        if self.control_view().over:
            if self.last_round is not None:
                # The exercise ended on a close this app made: every seat reads how first.
                for actor in self.humans():
                    if actor not in self._told:
                        self._told.add(actor)
                        return Step("results", actor)
            return Step("debrief")
        if not self._queue:
            # Seats that already submitted this round (a resumed session) do not go again.
            self._queue = [
                Step("seat", a) for a in self.humans() if self.session.submitted(a) is None
            ] + [Step("control")]
        step = self._queue.pop(0)
        # A seat handed to the computer since the queue was made no longer takes a turn.
        while step.kind == "seat" and self.session.seats.get(step.actor or "") != "human":
            step = self._queue.pop(0)
        return step

    def close_round(self) -> None:
        """Close the round through the session, remembering where each reader's events stood."""
        closing = self.control_view().round
        readers = (None, *self.humans())
        self._read = {a: self._since.get(a, 0) for a in readers}
        self.session.close_round()
        self._since = {a: len(self.session.view(a).events) for a in readers}
        self.last_round = closing
        self._queue = []
        self.start_clock()

    def start_clock(self) -> None:
        """Start the current round's wall clock (when the setup asked for one)."""
        if self.round_minutes is not None:
            self.round_started = time.monotonic()

    def time_left(self) -> float | None:
        """Wall-clock seconds left in this round (negative: over time); None: no round clock."""
        if self.round_minutes is None or self.round_started is None:
            return None
        return self.round_minutes * 60 - (time.monotonic() - self.round_started)

    def round_events(self, view: View) -> list[Mapping[str, Any]]:
        """The last closed round's events as ``view``'s seat saw them, in order."""
        if self.last_round is None:
            return []
        return list(view.events[self._read.get(view.actor, 0) :])
