"""What a seat sees: the one place where fog of war is decided, and the value it produces.

``redact(event, actor, state, world)`` says whether and how one event appears to one actor;
:func:`seat_view` assembles a seat's whole picture as a :class:`View`: plain data (values, beliefs,
redacted events, proposals and agreements it is party to, its legal options with chances from its
beliefs, its briefing) with no reference to the state, the log or the world. Screens, computer
players, exports, reports and the network all read views, so nothing else can leak.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sim.engine.decimals import round6
from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    ControlNote,
    EffectApplied,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Overridden,
    ProposalClosed,
    RedLineCrossed,
    Resolved,
    Revealed,
    RoundClosed,
    TriggerFired,
)
from sim.engine.expr import PY_GLOBALS, Value
from sim.engine.fastinit import fast_init
from sim.engine.state import ActiveCommitment, State, move_known, source_known
from sim.engine.world import BoundEffect, BoundMove, World
from sim.models.script import Terms

CONTROL = None
"""Pass as the actor to see everything (the control seat)."""


# The classes redact() tests events against, as tuples made once (``A | B`` in the call would
# build a union object for every event every seat is shown).
_MOVES = (MoveMade, Resolved)
_AUDIENCED = (InjectDelivered, Revealed)
_BY_PARTIES = (AgreementMade, ProposalClosed)
_OWN = (FactionShift, RedLineCrossed)
_CONTROLS = (Overridden, TriggerFired, ControlNote)


def redact(event: Event, actor: str | None, state: State, world: World) -> dict[str, Any] | None:
    """The event as ``actor`` may see it (a dict), or None if it may not see it at all.

    ``state`` must be a state at or after the event (detections are revealed retroactively).
    """
    if actor is None:
        return event.to_dict()
    # Whether it is seen is decided before the dict is built (most of a seat's misses).
    if isinstance(event, _MOVES):
        if not move_known(state, event.mid, actor):
            return None
        data = event.to_dict()  # generated per class (sim.engine.events): this wall's inner loop
        if isinstance(event, MoveMade) and event.actor != actor:
            data["rationale"] = None  # a computer player's reasoning is its own secret
        if isinstance(event, Resolved):
            if event.detected_by:
                # Detectors know they saw it; nobody, the mover included, learns who else did.
                data["detected_by"] = [actor] if actor in event.detected_by else []
            # The die is control's: a roll beside its chance and outcome would show an override.
            data["roll"] = None
            if not _chance_seen(event, actor, state, world):
                data["chance"] = None  # computed from values this seat may not see
        return data
    if isinstance(event, EffectApplied):
        known = source_known(state, event.source, actor)
        if known and event.source.startswith("breach:"):
            known = _breach_seen(event, actor)
        if event.name not in world.visible[actor] and not (
            known and event.name in world.sight.by_source
        ):
            return None
        data = event.to_dict()
        if not known or event.source.startswith("trigger:"):
            # Players see consequences, not their hidden causes nor the scenario's rules.
            data["source"] = "unknown"
        return data
    if isinstance(event, MessageSent):
        seen = event.to == "public" or actor == event.sender or actor in event.to
    elif isinstance(event, _AUDIENCED):
        seen = event.audience == "public" or actor in event.audience
    elif isinstance(event, Answered):
        seen = actor in state.parties.get(event.proposal, ())
    elif isinstance(event, Breach):
        # Seen by parties that know the move: a secret breach goes unnoticed until detected.
        seen = actor in event.parties and move_known(state, event.mid, actor)
    elif isinstance(event, _BY_PARTIES):
        seen = actor in event.parties
    elif isinstance(event, _OWN):
        seen = actor == event.actor
    elif isinstance(event, _CONTROLS):
        # Control's internals (overrides, pauses, the scenario's rules) are not the fiction.
        seen = False
    else:
        data = event.to_dict()
        if isinstance(event, RoundClosed):
            # The hash covers hidden values: with the seed it would let a player test guesses.
            data["hash"] = ""
        return data
    return event.to_dict() if seen else None


def _chance_seen(event: Resolved, actor: str, state: State, world: World) -> bool:
    """Whether the move's chance reads only names ``actor`` sees (else it would tell them)."""
    rec = state.moves.get(event.mid)
    target = rec.target if rec is not None else None
    try:
        names = world.bound_move(event.actor, event.move, target).chance.names
    except (KeyError, ValueError):
        return False
    return names <= world.visible[actor]


def _breach_seen(event: EffectApplied, actor: str) -> bool:
    """Whether ``actor`` saw the breach behind a ``breach:`` trust change. The kernel changes
    ``trust.A.B`` only between the breaker and a party that knew of the move, so those two saw it;
    a third party may not have (the breach of a secret move it never detected)."""
    parts = event.name.split(".")
    return len(parts) == 3 and parts[0] == "trust" and actor in parts[1:]


_NUMBERED = re.compile(r"(?P<head>(?:m|c)\d+\.[^.]+\.s?|control\.\d+\.)(?P<n>\d+)")
"""Ids numbered in order of their kind: moves ``m3.us.2``, messages ``c3.us.1`` / ``c3.us.s1``
and control's injects ``control.3.1``."""


class Renumber:
    """One seat's numbering of move, message and control-inject ids: each kind numbered 1, 2,
    ... in the order the seat first sees them, so a gap cannot tell that a hidden one exists.
    A seat's own moves and messages keep their numbers (it sees all of them)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self._next: dict[str, int] = {}

    def id(self, real: str) -> str:
        """The seat's name for ``real`` (assigned on first sight)."""
        known = self.ids.get(real)
        if known is not None:
            return known
        m = _NUMBERED.fullmatch(real)
        if m is None:
            return real
        head = m["head"]
        n = self._next.get(head, 0) + 1
        self._next[head] = n
        self.ids[real] = out = f"{head}{n}"
        return out

    def source(self, source: str) -> str:
        """An effect's or reveal's source: a move id, ``inject:ID`` or another kind."""
        if source.startswith("inject:"):
            return "inject:" + self.id(source[7:])
        return self.id(source) if source[:1] == "m" else source

    def event(self, data: dict[str, Any]) -> None:
        """Rename the ids of one redacted event in place."""
        kind = data["type"]
        if "mid" in data and kind != "override":
            data["mid"] = self.id(data["mid"])
        if kind in ("effect", "revealed"):
            data["source"] = self.source(data["source"])
        elif kind == "inject" and data.get("source") == "control":
            data["id"] = self.id(data["id"])


@dataclass(frozen=True, slots=True)
class Belief:
    """What a seat believes of a value it cannot see."""

    value: Value
    seen_at: float | None
    """Sim hour it was last observed; None: never since the start (the briefing's value)."""


@dataclass(frozen=True, slots=True)
class OptionView:
    """A move the seat may make now (the engine's ruling), as the seat understands it."""

    move: str
    target: str | None
    chance: float
    """Chance of success, computed from the seat's beliefs."""
    detection: float
    """For secret moves, the chance each other actor detects it, from the seat's beliefs."""
    expected: Mapping[str, float]
    """Expected change of each name the seat would know about, from its beliefs."""
    breaks: tuple[str, ...]
    """Agreements in force (ids) the move would breach."""


@dataclass(frozen=True, slots=True)
class ProposalView:
    """An open proposal the seat is party to."""

    id: str
    sender: str
    parties: tuple[str, ...]
    title: str
    terms: Terms
    expires: int
    """The round after which it lapses unanswered."""
    answers: Mapping[str, bool]
    """Answers so far (the sender's acceptance included)."""


@dataclass(frozen=True, slots=True)
class AgreementView:
    """An agreement in force the seat is party to."""

    id: str
    title: str
    parties: tuple[str, ...]
    commitments: tuple[ActiveCommitment, ...]


@dataclass(frozen=True, slots=True)
class View:
    """One seat's picture of the exercise at one moment (``actor`` None: the control seat)."""

    actor: str | None
    round: int
    """The round whose decision window is open."""
    rounds: int
    t: float
    """Sim hours since the start."""
    outcome: str | None
    paused: bool
    values: Mapping[str, Value]
    """The state names this seat sees, at their current values."""
    beliefs: Mapping[str, Belief]
    """Every other state name, as last observed."""
    events: Sequence[Mapping[str, Any]]
    """What the seat has seen happen, redacted and numbered for it alone (``seq`` is the
    position in this list, so gaps cannot tell how much is hidden)."""
    proposals: tuple[ProposalView, ...]
    agreements: tuple[AgreementView, ...]
    options: tuple[OptionView, ...]
    """Its legal moves now, in catalogue order (empty for control)."""
    legal: frozenset[tuple[str, str | None]]
    """(move, target) of every legal move now (the engine's ruling; empty for control)."""
    factions: Mapping[str, float]
    """Its own internal factions' influence."""
    briefing: str

    @property
    def over(self) -> bool:
        """Whether an end state was reached."""
        return self.outcome is not None

    @property
    def believed(self) -> dict[str, Value]:
        """Every state name as this seat holds it: seen values and believed ones."""
        out = {name: b.value for name, b in self.beliefs.items()}
        out.update(self.values)
        return out

    @property
    def awaiting_answer(self) -> tuple[ProposalView, ...]:
        """Open proposals this seat has not yet answered."""
        if self.actor is None or not self.proposals:  # (most rounds: none open)
            return ()
        return tuple(p for p in self.proposals if self.actor not in p.answers)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (see :func:`view_from_json`)."""
        out = asdict(self)
        out["beliefs"] = {k: [b.value, b.seen_at] for k, b in self.beliefs.items()}
        out["legal"] = sorted(self.legal, key=lambda mt: (mt[0], mt[1] or ""))
        out["proposals"] = [
            asdict(p) | {"terms": p.terms.model_dump(mode="json")} for p in self.proposals
        ]
        return out


def view_from_json(data: Mapping[str, Any]) -> View:
    """A view from :meth:`View.to_json`'s form."""

    def commitment(c: Mapping[str, Any]) -> ActiveCommitment:
        bound = c["bound"]
        return ActiveCommitment(
            tuple(c["forbid"]), bound if bound == "all" else tuple(bound), c["until"], c["label"]
        )

    return View(
        actor=data["actor"],
        round=data["round"],
        rounds=data["rounds"],
        t=data["t"],
        outcome=data["outcome"],
        paused=data["paused"],
        values=dict(data["values"]),
        beliefs={k: Belief(v, at) for k, (v, at) in data["beliefs"].items()},
        events=tuple(dict(e) for e in data["events"]),
        proposals=tuple(
            ProposalView(
                p["id"],
                p["sender"],
                tuple(p["parties"]),
                p["title"],
                Terms.model_validate(p["terms"]),
                p["expires"],
                dict(p["answers"]),
            )
            for p in data["proposals"]
        ),
        agreements=tuple(
            AgreementView(
                a["id"],
                a["title"],
                tuple(a["parties"]),
                tuple(commitment(c) for c in a["commitments"]),
            )
            for a in data["agreements"]
        ),
        options=tuple(
            OptionView(
                o["move"],
                o["target"],
                o["chance"],
                o["detection"],
                dict(o["expected"]),
                tuple(o["breaks"]),
            )
            for o in data["options"]
        ),
        legal=frozenset((m, t) for m, t in data["legal"]),
        factions=dict(data["factions"]),
        briefing=data["briefing"],
    )


class Feed:
    """One seat's redacted events, extended as the log grows (so a screen's cost does not grow
    with the log's length). Sound because no event's redaction changes after the round it
    belongs to has closed, and views are taken between inputs, never inside a round's close."""

    def __init__(self, actor: str | None) -> None:
        self.actor = actor
        self.events: list[dict[str, Any]] = []
        self._read = 0
        self.numbering = Renumber()
        self._frozen: tuple[dict[str, Any], ...] = ()

    def update(self, log: Sequence[Event], state: State, world: World) -> list[dict[str, Any]]:
        """Redact what was appended since the last call; the whole feed."""
        for event in log[self._read :]:
            data = redact(event, self.actor, state, world)
            if data is not None:
                if self.actor is not None:
                    data["seq"] = len(self.events)
                    self.numbering.event(data)
                self.events.append(data)
        self._read = len(log)
        return self.events

    def snapshot(
        self, log: Sequence[Event], state: State, world: World
    ) -> tuple[dict[str, Any], ...]:
        """:meth:`update` as a tuple, shared by every view taken until the feed grows (copying a
        long feed touches every event: a screen that takes several views pays it once)."""
        events = self.update(log, state, world)
        if len(self._frozen) != len(events):
            self._frozen = tuple(events)
        return self._frozen


def _hidden_initial(world: World, actor: str) -> dict[str, Value]:
    """The names ``actor`` cannot see, at their starting values (memoised per world)."""
    key = ("hidden-initial", actor)
    hidden: dict[str, Value] | None = world.memo.get(key)
    if hidden is None:
        names = world.visible[actor]
        hidden = {k: v for k, v in world.initial.items() if k not in names}
        world.memo[key] = hidden
    return hidden


def _unobserved(world: World, actor: str) -> dict[str, Belief]:
    """The beliefs of a seat that has observed nothing: its hidden names at their starting
    values (memoised per world; copied before use)."""
    key = ("unobserved-beliefs", actor)
    beliefs: dict[str, Belief] | None = world.memo.get(key)
    if beliefs is None:
        beliefs = {k: Belief(v, None) for k, v in _hidden_initial(world, actor).items()}
        world.memo[key] = beliefs
    return beliefs


def believed_values(world: World, state: State, actor: str | None) -> dict[str, Value]:
    """Every state name as ``actor`` holds it (control: the truth)."""
    believed = dict(state.values)
    if actor is None:
        return believed
    # Copy, then overwrite what it cannot see: starting values, then what it observed.
    believed.update(_hidden_initial(world, actor))
    for name, (value, _t) in state.beliefs[actor].items():
        believed[name] = value
    return believed


def seat_view(
    world: World,
    state: State,
    actor: str | None,
    events: Sequence[Mapping[str, Any]],
    *,
    options: bool = True,
) -> View:
    """``actor``'s view now; ``events`` is its feed. ``options=False`` leaves the option list
    out (computer players score every usable move themselves and never read it)."""
    if actor is None:
        values: Mapping[str, Value] = dict(state.values)
        beliefs: dict[str, Belief] = {}
        factions = {}
    else:
        hidden = _hidden_initial(world, actor)
        # Copy, then drop the few names it cannot see: cheaper than filtering every name, and
        # computer seats take a view every round.
        values = dict(state.values)
        for k in hidden:
            del values[k]
        # The few observed names overwrite the memoised starting beliefs in place (same order:
        # the names it cannot see, as the world lists them).
        beliefs = dict(_unobserved(world, actor))
        for k, seen in state.beliefs[actor].items():
            if k in beliefs:
                beliefs[k] = Belief(*seen)
        factions = dict(state.factions.get(actor, {}))
    listed = legal_options(world, state, actor) if options and actor is not None else ()
    legal = legal_moves(world, state, actor) if not options and actor is not None else frozenset()
    proposals = tuple(
        ProposalView(p.id, p.sender, p.parties, p.title, p.terms, p.expires, dict(p.answers))
        for p in state.proposals.values()
        if actor is None or actor in p.parties
    )
    agreements = tuple(
        AgreementView(a.id, a.title, a.parties, a.commitments)
        for a in state.agreements.values()
        if actor is None or actor in a.parties
    )
    return View(
        actor=actor,
        round=state.round,
        rounds=world.scenario.clock.rounds,
        t=state.t,
        outcome=state.outcome,
        paused=state.paused,
        values=values,
        beliefs=beliefs,
        events=events,
        proposals=proposals,
        agreements=agreements,
        options=listed,
        legal=frozenset((o.move, o.target) for o in listed) if options else legal,
        factions=factions,
        briefing=_briefing(world, actor),
    )


for _cls in (Belief, OptionView, ProposalView, AgreementView, View):
    fast_init(_cls)  # a view per computer seat per round, an option per legal move

_ViewBuilder: Any = type(
    "ViewBuilder",
    (View,),
    {"__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__},
)
"""A ``View`` whose fields may be assigned, made a ``View`` once they are (see
:class:`SeatViews`): plain slot stores instead of ``fast_init``'s seventeen descriptor calls,
as ``sim.engine.events`` builds events. It never escapes :meth:`SeatViews.view`."""


class SeatViews:
    """One computer seat's views, round after round: each equal to
    ``seat_view(world, state, actor, events, options=False)`` (``tests/engine/test_seat_views.py``
    holds the two together over whole runs of every bundled scenario), for less.

    What is fixed for the game (the hidden names, the starting beliefs, the briefing, the
    legality tables) is looked up once, not in the world's memo at every view; the beliefs
    are built again only when the seat observed something since its last view (most rounds it
    observed nothing: the new view gets a copy of the last one's); the view itself is filled in
    by slot stores. Every view still gets its own dicts: a seat may change its view, never the
    next one."""

    __slots__ = (
        "actor",
        "beliefs",
        "briefing",
        "held",
        "hidden",
        "legal_sets",
        "observed",
        "rounds",
        "unobserved",
        "world",
    )

    def __init__(self, world: World, actor: str) -> None:
        self.world = world
        self.actor = actor
        self.hidden = tuple(_hidden_initial(world, actor))
        self.unobserved = _unobserved(world, actor)
        self.briefing = _briefing(world, actor)
        self.rounds = world.scenario.clock.rounds
        _requirement_groups(world, actor)  # builds the held function, when there is one
        self.held: Callable[..., int] | None = world.memo.get(("requirement-bits", actor))
        self.legal_sets: dict[int, frozenset[tuple[str, str | None]]] = world.memo.setdefault(
            ("legal-sets", actor), {}
        )
        self.observed: dict[str, tuple[Value, float]] = {}
        """The state's observations the kept beliefs were made from (the same tuples)."""
        self.beliefs: dict[str, Belief] = dict(self.unobserved)

    def view(self, state: State, events: Sequence[Mapping[str, Any]]) -> View:
        """The seat's view now; ``events`` is its feed."""
        actor = self.actor
        values = dict(state.values)
        for k in self.hidden:
            del values[k]
        observed = state.beliefs[actor]
        last = self.observed
        # The state stores a new tuple for every observation, so the same tuples under the
        # same names (compared by identity: 1 == 1.0 == True, 0.0 == -0.0) are the same beliefs.
        if not (
            len(observed) == len(last)
            and all(map(operator.is_, observed.values(), last.values()))
            and all(map(operator.is_, observed, last))
        ):
            beliefs = dict(self.unobserved)
            for k, seen in observed.items():
                if k in beliefs:
                    beliefs[k] = Belief(*seen)
            self.beliefs = beliefs
            self.observed = dict(observed)
        held = self.held(state.values) if self.held is not None else None
        if held is None:
            legal = legal_moves(self.world, state, actor)
        else:
            found = self.legal_sets.get(held)
            legal = _legal_set(self.world, actor, held) if found is None else found
        view = object.__new__(_ViewBuilder)
        view.actor = actor
        view.round = state.round
        view.rounds = self.rounds
        view.t = state.t
        view.outcome = state.outcome
        view.paused = state.paused
        view.values = values
        view.beliefs = dict(self.beliefs)
        view.events = events
        view.proposals = (
            tuple(
                ProposalView(
                    p.id, p.sender, p.parties, p.title, p.terms, p.expires, dict(p.answers)
                )
                for p in state.proposals.values()
                if actor in p.parties
            )
            if state.proposals
            else ()
        )
        view.agreements = (
            tuple(
                AgreementView(a.id, a.title, a.parties, a.commitments)
                for a in state.agreements.values()
                if actor in a.parties
            )
            if state.agreements
            else ()
        )
        view.options = ()
        view.legal = legal
        view.factions = dict(state.factions.get(actor, {}))
        view.briefing = self.briefing
        view.__class__ = View
        return view  # type: ignore[no-any-return]


def legal_moves(world: World, state: State, actor: str) -> frozenset[tuple[str, str | None]]:
    """(move, target) of every move ``actor`` may make now: :func:`illegal`'s ruling, with each
    distinct requirement evaluated once (computer seats ask every round)."""
    return _legal_set(world, actor, _held(world, state, actor))


def _requirement_groups(
    world: World, actor: str
) -> tuple[tuple[Any, tuple[tuple[str, str | None], ...]], ...]:
    """``actor``'s (move, target) pairs grouped by their bound requirement, each group with its
    requirement (None: none), in catalogue order (memoised per world)."""
    key = ("requirement-groups", actor)
    groups = world.memo.get(key)
    if groups is None:
        by_text: dict[str | None, tuple[Any, list[tuple[str, str | None]]]] = {}
        for move in world.usable[actor]:
            for target in world.targets(actor, move):
                req = world.bound_move(actor, move, target).requires
                # Generated source identifies a bound requirement; one too deep to generate
                # (no source) stands alone.
                text = None if req is None else req.py or f"#{id(req)}"
                by_text.setdefault(text, (req, []))[1].append((move, target))
        groups = tuple((req, tuple(pairs)) for req, pairs in by_text.values())
        world.memo[key] = groups
        world.memo[("requirement-bits", actor)] = _held_function(groups)
    return groups


def _held(world: World, state: State, actor: str) -> int:
    """Which of ``actor``'s requirement groups hold now, as bits (bit i: group i): with the
    world, everything that decides its legal moves."""
    groups = _requirement_groups(world, actor)
    values = state.values
    held_fn = world.memo.get(("requirement-bits", actor))
    if held_fn is not None:
        return held_fn(values)  # type: ignore[no-any-return]
    held, bit = 0, 1
    for req, _pairs in groups:
        if req is None or req.fn(values):
            held |= bit
        bit <<= 1
    return held


def _legal_set(world: World, actor: str, held: int) -> frozenset[tuple[str, str | None]]:
    """The legal (move, target) pairs when the groups ``held`` hold. The set for each
    combination is built once per world (a game meets few combinations, and hashing ~70 pairs
    into a new set each time is not free)."""
    sets: dict[int, frozenset[tuple[str, str | None]]] = world.memo.setdefault(
        ("legal-sets", actor), {}
    )
    legal = sets.get(held)
    if legal is None:
        groups = _requirement_groups(world, actor)
        legal = frozenset(
            pair for i, (_req, pairs) in enumerate(groups) if held >> i & 1 for pair in pairs
        )
        if len(sets) < 4096:
            sets[held] = legal
    return legal


def _option_table(
    world: World, actor: str
) -> tuple[tuple[str, str | None, Any, tuple[str, ...]], ...]:
    """Every (move, target) ``actor`` may use in this scenario, in catalogue order, with its
    bound move and the move's tags (memoised per world: fixed for the whole game)."""
    key = ("option-table", actor)
    table = world.memo.get(key)
    if table is None:
        table = tuple(
            (
                move,
                target,
                world.bound_move(actor, move, target),
                tuple(world.moves[move].type.tags),
            )
            for move in world.usable[actor]
            for target in world.targets(actor, move)
        )
        world.memo[key] = table
    return table


def _knows(world: World, actor: str) -> frozenset[str]:
    """Names whose expected change ``actor``'s options show (memoised per world)."""
    key = ("option-knows", actor)
    knows = world.memo.get(key)
    if knows is None:
        knows = world.memo[key] = frozenset(world.visible[actor] | world.sight.by_source)
    return knows


def _forbidding(state: State, actor: str) -> list[tuple[str, frozenset[str]]]:
    """(agreement id, forbidden moves and tags) of each commitment in force binding ``actor``,
    in the order :func:`sim.engine.adjudicate.breached` reads them."""
    out = []
    for ag in state.agreements.values():
        for c in ag.commitments:
            if c.binds(actor, ag.parties) and not c.until < state.t:
                out.append((ag.id, frozenset(c.forbid)))
    return out


def _held_function(groups: Sequence[tuple[Any, Sequence[object]]]) -> Callable[..., int] | None:
    """One generated function giving the bits :func:`legal_moves` works out group by group
    (bit i: group i's requirement holds), with every requirement's ``Expr.py`` inlined: one call
    instead of one per group. None when a requirement has no source or Python's compiler
    cannot take the function (then the groups are tested one by one)."""
    lines = ["def held(v):", "    h = 0"]
    for i, (req, _pairs) in enumerate(groups):
        if req is None:
            lines.append(f"    h |= {1 << i}")
        elif not req.py:
            return None
        else:
            lines += [f"    if {req.py}:", f"        h |= {1 << i}"]
    lines.append("    return h")
    namespace: dict[str, Any] = dict(PY_GLOBALS)
    try:
        # Generated from checked expressions (Expr.py) and integers, nothing else.
        exec(compile("\n".join(lines) + "\n", "<sitroom legality>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    fn: Callable[..., int] = namespace["held"]
    return fn


# -- look-aheads ------------------------------------------------------------------------------
#
# Seats' options and the players' deal-making ask a bound move's expected changes thousands of
# times a game. An effect's change is a function of the old value (and its amount, when that reads
# the state), and each name takes few values in a game, so each effect keeps the changes it has
# worked out: two round6 calls and a clamp become one dict lookup.

_Row = tuple[str, "float | None", Any, dict[Any, float], bool, Any, Any, bool]
"""An effect as :func:`expected_on` reads it: (name, the amount as a float if it is a constant,
the amount's function, the changes worked out so far by old value (or by (old value, amount)
when the amount reads the state), add?, low, high, whether a zero's sign cannot change it)."""

_ROWS = "view:effect-rows"
"""world.memo key: id of a bound move to its :data:`_Entry`. Holding the bound move keeps its id
from being reused while the entry lives."""

_Entry = tuple[BoundMove, tuple[_Row, ...], tuple[_Row, ...], Any]
"""A bound move as :func:`expected_on` reads it: (the bound move, its effects' rows, its failure
effects' rows, its chance as :func:`_chance_or_fn` gives it: a float when it reads no state
name, 252 of 259 look-aheads in ten lean runs, else its expression's function)."""

_MEMO_LIMIT = 128
"""Most changes an effect keeps, the oldest dropped first (a bound on memory for long-lived
servers: a few megabytes a world at most)."""


def _rows(world: World, bound: BoundMove) -> tuple[tuple[_Row, ...], tuple[_Row, ...]]:
    """``bound``'s effects and failure effects as rows (memoised per world)."""
    entry = _entry(world, bound)
    return entry[1], entry[2]


def _entry(world: World, bound: BoundMove) -> _Entry:
    """``bound``'s :data:`_Entry` (memoised per world)."""
    memo = world.memo.get(_ROWS)
    if memo is None:
        memo = world.memo[_ROWS] = {}
    entry: _Entry | None = memo.get(id(bound))
    if entry is not None and entry[0] is bound:
        return entry

    def rows(effects: Sequence[BoundEffect]) -> tuple[_Row, ...]:
        out: list[_Row] = []
        for eff in effects:
            const = eff.amount.constant
            lo, hi = world.ranges.get(eff.name, (None, None))
            c = None if const is None else float(const)
            # Adding to 0.0 or -0.0 gives the same sum but for -0.0 + -0.0, and then the same
            # change (0.0); setting -0.0, or clamping to a bound of -0.0, does not.
            unsigned = eff.op == "add" and not any(_negative_zero(x) for x in (lo, hi))
            out.append((eff.name, c, eff.amount.fn, {}, eff.op == "add", lo, hi, unsigned))
        return tuple(out)

    if len(memo) >= 100_000:  # bound moves made outside the world's cache: bound memory
        memo.clear()
    entry = (bound, rows(bound.effects), rows(bound.on_failure), _chance_or_fn(bound.chance))
    memo[id(bound)] = entry
    return entry


def _negative_zero(x: object) -> bool:
    return isinstance(x, float) and x == 0.0 and math.copysign(1.0, x) < 0


def _kept(world: World, row: _Row, old: Value, amount: Value, key: object) -> float:
    """:func:`sim.engine.adjudicate.effect_result`'s change for a number ``old``, kept in the
    row's memo under ``key``: equal numbers give equal changes whatever their type (``float``
    reads both), and a zero's sign only where it cannot matter (0.0 == -0.0, so a kept zero
    answers both). (One function: a look-ahead's miss was two calls.)"""
    name, _c, _fn, memo, add, lo, hi, unsigned = row
    try:
        a = float(amount)
        new = float(old) + a if add else a
    except (ArithmeticError, ValueError):  # an integer too large for a float, round(x, nan)
        delta = math.nan
    else:
        if new - new:  # NaN or an infinity
            delta = math.nan
        else:
            if lo is None:
                lo, hi = world.ranges[name]  # a flag made a number: fails as effect_result does
            new = round6(lo if new < lo else hi if new > hi else new)
            delta = round6(new - float(old))
    if old or unsigned:
        if len(memo) >= _MEMO_LIMIT:
            del memo[next(iter(memo))]
        memo[key] = delta
    return delta


def expected_on(
    world: World,
    values: Mapping[str, Value],
    bound: BoundMove,
    names: Container[str],
    p: float | None = None,
) -> dict[str, float]:
    """:func:`sim.engine.adjudicate.expected_deltas` of the names in ``names`` alone: the same
    floats (each name's are the same terms, summed in the same order, and the names come in
    the same order), without working out the effects on other names (those a seat does not
    see, or a player does not weigh: about half of what another actor's moves change).
    ``p``: the move's chance on ``values`` (``probability(bound.chance(values))``), when the
    caller has it already.

    Each effect's change is kept by old value (and amount), which decide it (see :func:`_kept`;
    flags are worked out each time: True equals 1). ``tests/engine/test_view_fast.py`` holds it
    to the plain loop, bit for bit."""
    # _entry's memo, read inline (a look-ahead is a few rows: each call saved is a tenth of it).
    memo = world.memo.get(_ROWS)
    entry = None if memo is None else memo.get(id(bound))
    if entry is None or entry[0] is not bound:
        entry = _entry(world, bound)
    _bound, succeed, fail, chance = entry
    if p is None:
        if chance.__class__ is float:
            p = chance
        else:  # probability(), inlined: float() then clamp to [0, 1]
            p = float(chance(values))
            p = 0.0 if p < 0.0 else 1.0 if p > 1.0 else p
    out: dict[str, float] = {}
    for rows, weight in ((succeed, p), (fail, 1.0 - p)):
        if rows and not weight <= 0:
            _accumulate(world, values, rows, weight, out, names)
    return out


def _accumulate(
    world: World,
    values: Mapping[str, Value],
    rows: Sequence[_Row],
    weight: float,
    out: dict[str, float],
    names: Container[str] | None,
) -> None:
    """Add ``weight`` times each row's change to ``out`` (only the rows of ``names``, if given):
    :func:`sim.engine.adjudicate.expected_deltas`'s loop over one list of effects."""
    get = out.get
    for row in rows:
        name, const, fn, memo, _add, _lo, _hi, _unsigned = row  # (no slice: a tuple per row)
        if names is not None and name not in names:
            continue
        old = values[name]
        if old is True or old is False:  # isinstance(old, bool)
            delta = (1.0 if fn(values) else 0.0) - (1.0 if old else 0.0)
        elif const is not None:
            kept = memo.get(old)
            delta = _kept(world, row, old, const, old) if kept is None else kept
        else:
            amount = fn(values)
            key = (old, amount)
            kept = memo.get(key)
            delta = _kept(world, row, old, amount, key) if kept is None else kept
        out[name] = get(name, 0.0) + weight * delta


class _OptionPlan:
    """What :func:`legal_options` needs of one actor's moves, fixed per world, and the option
    lists it has made, keyed by everything they are made from: the groups of requirements that
    hold (which decide legality), the agreements' commitments binding the actor (which decide
    breaches) and the believed values of every name a chance, a detection or an effect of its
    moves reads, with their types and signs (a list is a pure function of these, so a hit is
    the list the same inputs would make; it belongs to one actor, as the plan does)."""

    __slots__ = ("by_held", "memo", "names", "read", "rows")

    rows: tuple[
        tuple[str, str | None, Any, Any, tuple[_Row, ...], tuple[_Row, ...], tuple[str, ...]], ...
    ]
    """(move, target, chance, detection, effects' rows, failure effects' rows, tags) of each
    usable move and target, in catalogue order; only the effects on names the actor would
    know about. A chance or detection that reads no state name is its probability, a float;
    else its expression's function."""

    def __init__(self, world: World, actor: str) -> None:
        knows = _knows(world, actor)
        table = _option_table(world, actor)
        # Each option's effects on names it would know about (the rest would be dropped).
        self.rows = tuple(
            (
                move,
                target,
                _chance_or_fn(bound.chance),
                _chance_or_fn(bound.detection),
                tuple(r for r in _rows(world, bound)[0] if r[0] in knows),
                tuple(r for r in _rows(world, bound)[1] if r[0] in knows),
                tags,
            )
            for move, target, bound, tags in table
        )
        self.by_held: dict[int, tuple[Any, ...]] = {}
        """The rows legal when the requirement groups ``held`` hold (few combinations a game)."""
        names: dict[str, None] = {}
        for _move, _target, bound, _tags in table:
            exprs = [bound.chance, bound.detection]
            for eff in (*bound.effects, *bound.on_failure):
                names[eff.name] = None
                exprs.append(eff.amount)
            for expr in exprs:
                names.update(dict.fromkeys(sorted(expr.names)))
        self.names = tuple(names)
        self.read: Callable[[Mapping[str, Value]], tuple[Value, ...]] = (
            operator.itemgetter(*self.names) if len(self.names) > 1 else _reader(self.names)
        )
        self.memo: dict[tuple[object, ...], tuple[OptionView, ...]] = {}

    def key(
        self, believed: Mapping[str, Value], held: int, forbidding: tuple[object, ...]
    ) -> tuple[object, ...] | None:
        """The memo's key for these inputs (None: a value ``copysign`` cannot read)."""
        vals = self.read(believed)
        try:
            # Equal values may still differ in what they make: 1 == 1.0 == True, 0.0 == -0.0.
            signs = tuple(map(math.copysign, _ONES, vals))
        except (OverflowError, TypeError):
            return None
        return (held, forbidding, vals, tuple(map(type, vals)), signs)


_ONES = itertools.repeat(1.0)
"""``copysign``'s first argument for every value (``map`` stops at the shorter input)."""

_PLAN_MEMO_LIMIT = 128
"""Most option lists one actor's plan keeps, the oldest dropped first (enough for a round of
many exercises of one world; a list is about 20 kB)."""


def _chance_or_fn(expr: Any) -> Any:
    """``probability(expr(values))`` worked out now if ``expr`` reads no state name (a float),
    else ``expr``'s function."""
    if expr.constant is None:
        return expr.fn
    p = float(expr.fn({}))
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


def _reader(names: Sequence[str]) -> Callable[[Mapping[str, Value]], tuple[Value, ...]]:
    """``itemgetter`` for fewer than two names (which returns a tuple only for two or more)."""
    return lambda values: tuple(values[n] for n in names)


def _option_plan(world: World, actor: str) -> _OptionPlan:
    key = ("option-plan", actor)
    plan: _OptionPlan | None = world.memo.get(key)
    if plan is None:
        plan = world.memo[key] = _OptionPlan(world, actor)
    return plan


def legal_options(world: World, state: State, actor: str) -> tuple[OptionView, ...]:
    """Every move ``actor`` may make now, with chances and expected effects from its beliefs.

    Legality is the engine's ruling on the true state (the same as :func:`illegal`, which
    refuses orders): a seat is told what it can do, not why a hidden condition holds.
    The list is memoised by everything it is made from (see :class:`_OptionPlan`): a seat's
    view taken again before anything it reads has changed (a message grew the log, another
    connection of its team) costs a lookup.
    """
    believed = believed_values(world, state, actor)
    held = _held(world, state, actor)
    forbidding = tuple(_forbidding(state, actor)) if state.agreements else ()
    plan = _option_plan(world, actor)
    key = plan.key(believed, held, forbidding)
    if key is not None:
        hit = plan.memo.get(key)
        if hit is not None:
            return hit
    options = _make_options(world, actor, plan, believed, held, forbidding)
    if key is not None:
        if len(plan.memo) >= _PLAN_MEMO_LIMIT:
            del plan.memo[next(iter(plan.memo))]
        plan.memo[key] = options
    return options


def _make_options(
    world: World,
    actor: str,
    plan: _OptionPlan,
    believed: Mapping[str, Value],
    held: int,
    forbidding: Sequence[tuple[str, frozenset[str]]],
) -> tuple[OptionView, ...]:
    rows = plan.by_held.get(held)
    if rows is None:
        legal = _legal_set(world, actor, held)
        rows = tuple(row for row in plan.rows if (row[0], row[1]) in legal)
        if len(plan.by_held) < 4096:
            plan.by_held[held] = rows
    # breached()'s answer per move (it reads the move and its tags, not the target).
    breaks: dict[str, tuple[str, ...]] = {}
    out = []
    for move, target, chance_of, detection_of, succeed, fail, tags in rows:
        if chance_of.__class__ is float:
            chance = chance_of
        else:  # probability(), inlined: float() then clamp to [0, 1]
            chance = float(chance_of(believed))
            chance = 0.0 if chance < 0.0 else 1.0 if chance > 1.0 else chance
        # expected_on(world, believed, bound, knows, chance), on rows filtered in advance
        expected: dict[str, float] = {}
        if succeed and not chance <= 0:
            _accumulate(world, believed, succeed, chance, expected, None)
        if fail:
            q = 1.0 - chance
            if not q <= 0:
                _accumulate(world, believed, fail, q, expected, None)
        if forbidding:
            hit = breaks.get(move)
            if hit is None:
                # An agreement counts once however many of its commitments forbid the move.
                seen: dict[str, None] = {}
                for ag_id, f in forbidding:
                    if ag_id not in seen and (move in f or not f.isdisjoint(tags)):
                        seen[ag_id] = None
                hit = breaks[move] = tuple(seen)
        else:
            hit = ()
        if detection_of.__class__ is float:
            detection = detection_of
        else:
            detection = float(detection_of(believed))
            detection = 0.0 if detection < 0.0 else 1.0 if detection > 1.0 else detection
        out.append(OptionView(move, target, chance, detection, expected, hit))
    return tuple(out)


def _briefing(world: World, actor: str | None) -> str:
    public = world.scenario.briefing
    if actor is None or actor not in world.models:
        return public
    private = world.models[actor].briefing
    return f"{public}\n\n{private}" if private else public
