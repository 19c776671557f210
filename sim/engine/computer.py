"""The computer's seats: one policy per computer-played actor, each deciding from its own view.

Policies are made on first use from the actor model's ``policy`` name (through the registry in
:mod:`sim.engine.policy`) and keep their memory for the whole session. Each draws from the
engine's stream for its actor and round, so computer play varies by seed and still replays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sim.engine.events import Event, Seat
from sim.engine.policy import Decision, Policy, make_policy
from sim.engine.rng import Stream
from sim.engine.state import State
from sim.engine.view import SeatViews, redact
from sim.engine.world import World


class _Typed:
    """The log's events of some types, in log order, found in one pass shared by every computer
    seat whose policy reads those types (each seat's feed then reads only these)."""

    def __init__(self, kinds: frozenset[str]) -> None:
        self.kinds = kinds
        self.events: list[Event] = []
        self._read = 0

    def update(self, log: Sequence[Event]) -> list[Event]:
        kinds, add = self.kinds, self.events.append
        for event in log[self._read :]:
            if event.type in kinds:
                add(event)
        self._read = len(log)
        return self.events


class _Events:
    """One computer seat's redacted events of the kinds its policy reads (``type`` names), kept
    up to date as the log grows: each event is redacted once, by the one wall every seat's
    events go through. Not numbered: no one but the policy reads them. With ``names``, effects
    on other state names are left out unseen (a policy that tallies the causes of a few names
    would redact every effect of the game for them)."""

    def __init__(self, actor: str, typed: _Typed, names: frozenset[str] | None) -> None:
        self.actor = actor
        self.kinds = typed.kinds
        self.typed = typed
        self.names = names
        self.events: list[dict[str, object]] = []
        self._read = 0

    def update(self, log: Sequence[Event], state: State, world: World) -> list[dict[str, object]]:
        names, actor, add = self.names, self.actor, self.events.append
        typed = self.typed.update(log)
        for event in typed[self._read :]:
            if names is not None and event.type == "effect" and event.name not in names:  # type: ignore[attr-defined]
                continue
            data = redact(event, actor, state, world)
            if data is not None:
                add(data)
        self._read = len(typed)
        return self.events


class ComputerSeats:
    """The policies of a session's computer seats."""

    def __init__(self, world: World, seed: int, *, lean: bool = False) -> None:
        self.world = world
        self.seed = seed
        self.lean = lean
        self._policies: dict[str, Policy] = {}
        self._feeds: dict[str, _Events] = {}
        self._typed: dict[frozenset[str], _Typed] = {}
        self._views: dict[str, SeatViews] = {}

    def policy(self, actor: str) -> Policy:
        """``actor``'s policy, made on first use."""
        policy = self._policies.get(actor)
        if policy is None:
            model = self.world.models.get(actor)
            policy = make_policy(model.policy if model else "baseline", self.world, actor)
            if self.lean and hasattr(policy, "explain_moves"):
                policy.explain_moves = False
            self._policies[actor] = policy
        return policy

    def decide(
        self,
        seats: Mapping[str, Seat],
        state: State,
        *,
        commit: bool,
        log: Sequence[Event] = (),
    ) -> dict[str, Decision]:
        """Every computer seat's decision for the round now open, each from its seat's view (a
        computer seat's view leaves out the option details, which no computer player reads, and
        the event list unless its policy has a ``reads_events`` attribute naming event types:
        then it gets its seat's redacted events of ``log`` (the session's log) of those types,
        and of effects only those on the state names its ``reads_effects_on`` attribute names,
        when it has one; all else is what a human in that seat would see).

        Only the decisions made when the round closes (``commit``) may advance a policy's
        memory; a preview decides with forks of the policies, so looking at the adjudication
        (the control screen does it on every redraw) can never change the game.
        """
        out = {}
        for actor, seat in seats.items():
            if seat != "computer":
                continue
            policy = self.policy(actor)
            if not commit:
                fork = getattr(policy, "fork", None)
                policy = fork() if fork is not None else policy
            rng = Stream(self.seed, "policy", actor, state.round)
            events: Sequence[Mapping[str, object]] = ()
            kinds = getattr(policy, "reads_events", None)
            if log and kinds:
                feed = self._feeds.get(actor)
                names = getattr(policy, "reads_effects_on", None)
                if feed is None or feed.kinds != kinds or feed.names != names:
                    typed = self._typed.get(frozenset(kinds))
                    if typed is None:
                        typed = self._typed[frozenset(kinds)] = _Typed(frozenset(kinds))
                    feed = self._feeds[actor] = _Events(
                        actor, typed, None if names is None else frozenset(names)
                    )
                events = feed.update(log, state, self.world)
            views = self._views.get(actor)
            if views is None:
                views = self._views[actor] = SeatViews(self.world, actor)
            view = views.view(state, events)
            out[actor] = policy.decide(view, rng)
        return out
