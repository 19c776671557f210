"""World state as a fold over the event log.

``apply(state, event)`` is the only code that changes a :class:`State` (the kernel's hot paths
inline it, with its :data:`APPLY` handlers). It mutates in place for speed (the engine folds
hundreds of thousands of events a second); ``fold`` rebuilds any state from the initial one, which
is what replay, resume, export and the report rely on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress, count
from operator import is_not
from typing import Any, Literal

from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    ControlNote,
    EffectApplied,
    Ended,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Outcome,
    Overridden,
    ProposalClosed,
    RedLineCrossed,
    Resolved,
    Revealed,
    RoundClosed,
    SeatChanged,
    TriggerFired,
    dumps,
)
from sim.engine.expr import Value
from sim.engine.sight import Sight
from sim.engine.world import World
from sim.models.script import Terms


@dataclass(slots=True)
class MoveRecord:
    """What the state remembers of a move: who made it, who knows of it, and how it ended."""

    actor: str
    move: str
    target: str | None
    round: int
    visibility: str
    escalation: int
    known_by: set[str]
    outcome: str | None = None


@dataclass(slots=True)
class Proposal:
    """An open proposal awaiting answers."""

    id: str
    sender: str
    parties: tuple[str, ...]
    title: str
    terms: Terms
    expires: int
    answers: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ActiveCommitment:
    """A promise of an agreement in force: the moves it forbids, to whom, until when."""

    forbid: tuple[str, ...]
    """Move ids and move tags the bound actors promised not to use."""
    bound: tuple[str, ...] | Literal["all"]
    """The parties it binds ('all': every party)."""
    until: float
    """Sim hour at which it lapses."""
    label: str
    """Plain words for it, possibly empty."""

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> ActiveCommitment:
        """From its form in an :class:`AgreementMade` event."""
        bound = data["bound"]
        return cls(
            tuple(data["forbid"]),
            "all" if bound == "all" else tuple(bound),
            float(data["until"]),
            str(data.get("label", "")),
        )

    def binds(self, actor: str, parties: tuple[str, ...]) -> bool:
        """Whether it binds ``actor`` (one of the agreement's ``parties``)."""
        return actor in (parties if self.bound == "all" else self.bound)


@dataclass(slots=True)
class Agreement:
    """An agreement in force."""

    id: str
    title: str
    parties: tuple[str, ...]
    commitments: tuple[ActiveCommitment, ...]


_blake2b = hashlib.blake2b
_encode: Callable[[object], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True
).encode
"""What :func:`~sim.engine.events.dumps` does, for any JSON value (``json.dumps`` with these
arguments builds this very encoder and calls ``encode``)."""
_float_repr = float.__repr__
_int_repr = int.__repr__


def _leaf_text(v: object) -> str:
    """``_encode(v)`` for a value or a tuple of values, quicker for the usual ones: ``json``'s C
    encoder writes a finite float with ``float.__repr__``, an integer with ``int.__repr__`` and
    a tuple as a list; anything else (NaN, infinities, strings, subclasses) goes to the encoder
    itself."""
    kind = type(v)
    if kind is float:
        if not v - v:  # type: ignore[operator]  # finite (x - x is NaN for the others)
            return _float_repr(v)
    elif kind is int:
        return _int_repr(v)
    elif kind is bool:
        return "true" if v else "false"
    elif kind is tuple:
        return "[" + ",".join([_leaf_text(x) for x in v]) + "]"  # type: ignore[attr-defined]
    return _encode(v)


class _DictText:
    """``_encode(d)`` for a dict of names to values (or tuples of values) of which a few entries
    change between calls: each entry's text is kept, in the encoder's (sorted) order, and
    written again only when the entry holds another object than at the last call (the state
    replaces its values, never changes one in place). Finding those is left to C (``map`` and
    ``compress`` over the dict's values), so an unchanged entry costs no Python bytecode: a
    loop over every entry costs about a third of what the encoder spends on it. The last
    call's values are kept, so ``is not`` cannot be fooled by a reused id."""

    __slots__ = ("heads", "keys", "parts", "places", "values")

    def __init__(self) -> None:
        self.keys: tuple[str, ...] = ()
        """The names in the dict's own order at the last call."""
        self.values: tuple[Any, ...] = ()
        """Their values at the last call."""
        self.parts: list[str] = []
        """The entries' texts, in sorted order of names."""
        self.places: tuple[int, ...] = ()
        """Each name's place in ``parts``."""
        self.heads: tuple[str, ...] = ()
        """Each name's text and the colon."""

    def text(self, d: Mapping[str, object]) -> str:
        keys = tuple(d)
        values: tuple[Any, ...] = tuple(d.values())
        parts = self.parts
        changed: Iterable[int]
        if keys == self.keys:
            changed = compress(count(), map(is_not, values, self.values))
        else:  # the first call (or other names): every entry
            self.keys = keys
            n = len(keys)
            where = [0] * n
            for place, i in enumerate(sorted(range(n), key=keys.__getitem__)):
                where[i] = place
            self.places = tuple(where)
            self.heads = tuple(_encode(k) + ":" for k in keys)
            parts = self.parts = [""] * n
            changed = range(n)
        places, heads = self.places, self.heads
        for i in changed:
            v = values[i]  # mostly a finite float: _leaf_text's first case, inlined
            parts[places[i]] = heads[i] + (
                _float_repr(v) if type(v) is float and not v - v else _leaf_text(v)
            )
        self.values = values
        return "{" + ",".join(parts) + "}"


@dataclass(slots=True)
class State:
    """Everything the rules read. Built from ``World.initial`` and changed only by ``apply``."""

    values: dict[str, Value]
    t: float = 0.0
    round: int = 1
    seq: int = 0
    moves: dict[str, MoveRecord] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    parties: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Every proposal ever made to its parties (kept after it closes, for visibility)."""
    agreements: dict[str, Agreement] = field(default_factory=dict)
    fired: dict[str, float] = field(default_factory=dict)
    factions: dict[str, dict[str, float]] = field(default_factory=dict)
    overrides: dict[str, tuple[Outcome, str]] = field(default_factory=dict)
    escalation: dict[str, list[int]] = field(default_factory=dict)
    """Actor id to the escalation level of each of its moves, in order (the ladder)."""
    outcome: str | None = None
    paused: bool = False
    beliefs: dict[str, dict[str, tuple[Value, float]]] = field(default_factory=dict)
    """Actor id to what it last observed of names it cannot see: (value, sim hour). A name
    missing here is believed at its starting value, never observed since."""
    sight: Sight | None = field(default=None, compare=False, repr=False)
    """The world's visibility (who must believe instead of see), read by :func:`apply`."""
    private_injects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Injects delivered to some actors only, to their audiences (their effects' sources are
    hidden from everyone else)."""
    move_chain: str = field(default="", compare=False)
    """A running hash of every resolved move, so the round hash covers the whole history of
    moves without re-serialising it each round (which made long runs quadratic). Read it with
    :meth:`moves_hash`: links not yet folded in wait in ``move_links``."""
    move_links: list[str] = field(default_factory=list, compare=False)
    """Ids of resolved moves whose links (id, outcome, who knew) are not yet folded into
    ``move_chain``: the hashing waits until a digest needs it, so runs that never take one
    (batch runs) never pay for it.
    Neither field takes part in ``==``, which would otherwise depend on when a digest was taken;
    ``moves`` holds the same history."""
    texts: _DictText = field(default_factory=lambda: _DictText(), compare=False, repr=False)
    """The text of the values, entry by entry, kept between digests (see :meth:`digest`); like
    the two fields above, no part of the state's value."""

    @classmethod
    def initial(cls, world: World) -> State:
        """The state before any event."""
        return cls(
            values=dict(world.initial),
            factions={a: {f.id: f.weight for f in m.factions} for a, m in world.models.items()},
            escalation={a: [] for a in world.actors},
            beliefs={a: {} for a in world.actors},
            sight=world.sight,
        )

    def moves_hash(self) -> str:
        """The running hash of every resolved move so far."""
        if self.move_links:
            chain = self.move_chain
            moves = self.moves
            for mid in self.move_links:
                rec = moves[mid]
                # the link (id, outcome, who knew) after the chain so far, in one f-string
                link = f"{chain}|{mid}|{rec.outcome}|{','.join(sorted(rec.known_by))}"
                chain = _blake2b(link.encode(), digest_size=12).hexdigest()
            self.move_chain = chain
            self.move_links.clear()
        return self.move_chain

    def digest(self) -> str:
        """A hash of the whole state, recorded at every round's close: of the canonical JSON
        (:func:`~sim.engine.events.dumps`) of the snapshot that :meth:`reference_digest` dumps
        in one call. ``values`` is its last key in sorted order, so the text is the rest's,
        then the values' written from the entries kept between digests (:class:`_DictText`):
        only a few of them change in a round, and writing a float's shortest repr is most of
        the cost of JSON (callgrind, a round's values: ~221,000 instructions in one ``dumps``,
        ~125,000 so)."""
        rest = _encode(
            {
                "agreements": sorted(self.agreements),
                "beliefs": self.beliefs,
                "factions": self.factions,
                "fired": self.fired,
                "moves": self.moves_hash(),
                "outcome": self.outcome,
                "proposals": {k: [p.expires, p.answers] for k, p in self.proposals.items()},
                "round": self.round,
                "t": self.t,
            }
        )
        text = f'{rest[:-1]},"values":{self.texts.text(self.values)}}}'
        return _blake2b(text.encode(), digest_size=12).hexdigest()

    def reference_digest(self) -> str:
        """What :meth:`digest` must equal, from one ``dumps`` of the whole snapshot (the tests
        hold the two to each other)."""
        snapshot = {
            "values": self.values,
            "t": self.t,
            "round": self.round,
            "moves": self.moves_hash(),
            "proposals": {k: [p.expires, p.answers] for k, p in self.proposals.items()},
            "agreements": sorted(self.agreements),
            "fired": self.fired,
            "factions": self.factions,
            "beliefs": self.beliefs,
            "outcome": self.outcome,
        }
        return _blake2b(dumps(snapshot).encode(), digest_size=12).hexdigest()


def move_known(s: State, mid: str, actor: str) -> bool:
    """Whether ``actor`` knows of move ``mid``: public, its own, aimed at it, or detected."""
    rec = s.moves.get(mid)
    return rec is not None and (rec.visibility == "public" or actor in rec.known_by)


def source_known(s: State, source: str, actor: str) -> bool:
    """Whether ``actor`` knows the cause of a change: a move it knows of, an inject it received,
    a trigger whose consequence was public or told to it, an agreement it is party to."""
    if source in s.moves:
        return move_known(s, source, actor)
    kind, _, ident = source.partition(":")
    if kind == "inject":
        audience = s.private_injects.get(ident)
    elif kind == "trigger":
        audience = s.private_injects.get(f"trigger.{ident}")
    elif kind in ("agreement", "breach"):
        return actor in s.parties.get(ident, ())
    else:
        return False
    return audience is None or actor in audience


def observers(s: State, e: EffectApplied) -> tuple[str, ...]:
    """The actors that cannot see ``e.name`` but observe this change of it (they know its
    cause, and the name is declared ``visible: source``)."""
    sight = s.sight
    if sight is None or e.name not in sight.by_source:
        return ()
    return tuple(a for a in sight.believers[e.name] if source_known(s, e.source, a))


def observe(s: State, e: EffectApplied) -> None:
    """Record ``e`` in the beliefs of those who observe it (:func:`observers`)."""
    for actor in observers(s, e):
        s.beliefs[actor][e.name] = (e.value, e.t)


def _revealed(s: State, e: Revealed) -> None:
    sight = s.sight
    for actor in s.beliefs if e.audience == "public" else e.audience:
        for name, value in e.values.items():
            if sight is None or not sight.sees(actor, name):
                s.beliefs[actor][name] = (value, e.t)


_new = object.__new__


def _move(s: State, e: MoveMade) -> None:
    # A secret move is known to its actor alone until someone detects it, target included.
    knows = {e.actor} if e.target is None or e.visibility == "secret" else {e.actor, e.target}
    # MoveRecord(...) field by field: a class call costs more than the eight slot writes
    rec = _new(MoveRecord)
    rec.actor = e.actor
    rec.move = e.move
    rec.target = e.target
    rec.round = e.round
    rec.visibility = e.visibility
    rec.escalation = e.escalation
    rec.known_by = knows
    rec.outcome = None
    s.moves[e.mid] = rec
    s.escalation[e.actor].append(e.escalation)


def _resolved(s: State, e: Resolved) -> None:
    rec = s.moves[e.mid]
    rec.outcome = e.outcome
    if e.detected_by:  # mostly none
        rec.known_by.update(e.detected_by)
    # The link's text waits for a digest (lean runs never take one): the record's outcome and
    # ``known_by`` change only here, when the move resolves, so the text is the same whenever it
    # is written. The id alone is kept (a string: nothing more for the collector to track).
    s.move_links.append(e.mid)


def _message(s: State, e: MessageSent) -> None:
    p = e.proposal
    if p is not None:
        parties = (e.sender, *(e.to if e.to != "public" else ()))
        s.parties[p["id"]] = parties
        s.proposals[p["id"]] = Proposal(
            p["id"],
            e.sender,
            parties,
            p["title"],
            Terms.model_validate(p["terms"]),
            p["expires"],
            {e.sender: True},
        )


def _answer(s: State, e: Answered) -> None:
    s.proposals[e.proposal].answers[e.actor] = e.accept


def _agreement(s: State, e: AgreementMade) -> None:
    s.proposals.pop(e.id, None)
    commitments = tuple(ActiveCommitment.from_event(c) for c in e.commitments)
    s.agreements[e.id] = Agreement(e.id, e.title, e.parties, commitments)


def _closed(s: State, e: ProposalClosed) -> None:
    s.proposals.pop(e.id, None)


def _effect(s: State, e: EffectApplied) -> None:
    s.values[e.name] = e.value
    if s.sight is not None and e.name in s.sight.by_source:
        observe(s, e)


def _trigger(s: State, e: TriggerFired) -> None:
    s.fired[e.id] = e.t


def _faction(s: State, e: FactionShift) -> None:
    s.factions[e.actor][e.faction] = e.weight


def _override(s: State, e: Overridden) -> None:
    s.overrides[e.mid] = (e.outcome, e.note)


def _control(s: State, e: ControlNote) -> None:
    s.paused = e.action == "pause"


def _ended(s: State, e: Ended) -> None:
    s.outcome = e.outcome


def _round_closed(s: State, e: RoundClosed) -> None:
    s.round = e.round + 1
    s.values["round"] = e.round + 1


def _inject(s: State, e: InjectDelivered) -> None:
    if e.audience != "public":
        s.private_injects[e.id] = tuple(e.audience)


def _nothing(s: State, e: Event) -> None:
    pass


APPLY: dict[type[Event], Callable[[State, Any], None]] = {
    MoveMade: _move,
    Resolved: _resolved,
    MessageSent: _message,
    Answered: _answer,
    AgreementMade: _agreement,
    ProposalClosed: _closed,
    EffectApplied: _effect,
    TriggerFired: _trigger,
    FactionShift: _faction,
    Overridden: _override,
    ControlNote: _control,
    Ended: _ended,
    RoundClosed: _round_closed,
    InjectDelivered: _inject,
    Breach: _nothing,
    SeatChanged: _nothing,
    Revealed: _revealed,
    RedLineCrossed: _nothing,
}
"""Each event type's handler in :func:`apply`, after its stamps (``seq``, the clock)."""


def apply(state: State, event: Event) -> None:
    """Fold one event into the state."""
    state.seq = event.seq + 1
    if event.t != state.t:
        state.t = event.t
        state.values["t"] = event.t
    if type(event) is EffectApplied:  # nearly half of all events: no dispatch
        state.values[event.name] = event.value
        sight = state.sight
        if sight is not None and event.name in sight.by_source:
            observe(state, event)
    else:
        APPLY[type(event)](state, event)


def fold(world: World, events: Iterable[Event]) -> State:
    """The state after ``events``, from the scenario's initial state."""
    state = State.initial(world)
    for event in events:
        apply(state, event)
    return state
