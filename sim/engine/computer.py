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
    """The log's events of some types (``kinds``), and of effects only those on ``names`` (all
    of them when None), in log order: shared by every computer seat whose policy reads the
    same (each seat's feed then reads only these)."""

    __slots__ = ("events", "kinds", "names")

    def __init__(self, kinds: frozenset[str], names: frozenset[str] | None) -> None:
        self.kinds = kinds
        self.names = names
        self.events: list[Event] = []

    def take(self, event: Event) -> None:
        """Keep ``event`` (of one of ``kinds``) unless it is an effect on another name."""
        names = self.names
        if names is None or event.type != "effect" or event.name in names:  # type: ignore[attr-defined]
            self.events.append(event)


class _Router:
    """One pass over the log's new events for every :class:`_Typed` of a session's seats, each
    event handed to those that read its type (two policies reading different things cost one
    pass, not two; an effect is tested against the names once for every seat reading them)."""

    __slots__ = ("_by_type", "_read", "_typed")

    def __init__(self) -> None:
        self._typed: dict[tuple[frozenset[str], frozenset[str] | None], _Typed] = {}
        self._by_type: dict[str, list[_Typed]] = {}
        self._read = 0

    def typed(
        self, kinds: frozenset[str], names: frozenset[str] | None, log: Sequence[Event]
    ) -> _Typed:
        """The events of ``kinds`` (effects on ``names``), made on first use and caught up with
        the part of ``log`` already read."""
        typed = self._typed.get((kinds, names))
        if typed is None:
            typed = self._typed[kinds, names] = _Typed(kinds, names)
            for event in log[: self._read]:
                if event.type in kinds:
                    typed.take(event)
            for kind in sorted(kinds):
                self._by_type.setdefault(kind, []).append(typed)
        return typed

    def update(self, log: Sequence[Event]) -> None:
        """Hand out what was appended to ``log`` since the last call."""
        if len(log) <= self._read:
            return
        by_type = self._by_type
        for event in log[self._read :]:
            readers = by_type.get(event.type)
            if readers is not None:
                for typed in readers:
                    names = typed.names
                    if names is None or event.type != "effect" or event.name in names:  # type: ignore[attr-defined]
                        typed.events.append(event)
        self._read = len(log)


class _Events:
    """One computer seat's redacted events of the kinds its policy reads (``type`` names), kept
    up to date as the log grows: each event is redacted once, by the one wall every seat's
    events go through. Not numbered: no one but the policy reads them. With ``names``, effects
    on other state names are left out unseen (a policy that tallies the causes of a few names
    would redact every effect of the game for them)."""

    __slots__ = ("_read", "actor", "events", "kinds", "names", "router", "typed")

    def __init__(self, actor: str, router: _Router, typed: _Typed) -> None:
        self.actor = actor
        self.kinds = typed.kinds
        self.names = typed.names
        self.router = router
        self.typed = typed.events
        self.events: list[dict[str, object]] = []
        self._read = 0

    def update(self, log: Sequence[Event], state: State, world: World) -> list[dict[str, object]]:
        self.router.update(log)
        actor, add, typed = self.actor, self.events.append, self.typed
        for event in typed[self._read :]:
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
        self._router = _Router()
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
        policies = self._policies
        for actor, seat in seats.items():
            if seat != "computer":
                continue
            policy = policies.get(actor)
            if policy is None:
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
                # (the same sets, most rounds: `is` spares comparing them)
                if (
                    feed is None
                    or (feed.kinds is not kinds and feed.kinds != kinds)
                    or (feed.names is not names and feed.names != names)
                ):
                    typed = self._router.typed(
                        frozenset(kinds), None if names is None else frozenset(names), log
                    )
                    feed = self._feeds[actor] = _Events(actor, self._router, typed)
                events = feed.update(log, state, self.world)
            views = self._views.get(actor)
            if views is None:
                views = self._views[actor] = SeatViews(self.world, actor)
            view = views.view(state, events)
            out[actor] = policy.decide(view, rng)
        return out
