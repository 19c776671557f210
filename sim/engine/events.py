"""The event log's vocabulary: small frozen records, one per change to the world.

Every event has ``seq`` (position in the log), ``t`` (sim hours), ``round`` and ``type``. The log
is JSON Lines with sorted keys and no insignificant whitespace: the same run gives the same
bytes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError, fields
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast

from sim.engine.codecache import compiled

if TYPE_CHECKING:
    from dataclasses import dataclass
else:

    def dataclass(**_: bool) -> Callable[[type], type]:
        """At run time, ``@dataclass(frozen=True, slots=True, kw_only=True)`` makes the fields
        and slots only; every method (the frozen dataclass's own, and more) is generated for all
        the classes at once by :func:`_compile`: dataclass compiles each method of each class
        separately, which was most of this module's import time (~13 ms of every start)."""
        return _fields_and_slots

    _fields_and_slots = dataclasses.dataclass(
        slots=True, kw_only=True, init=False, repr=False, eq=False
    )

Outcome = Literal["success", "failure", "cancelled"]
Seat = Literal["human", "computer", "script"]
Audience = tuple[str, ...] | Literal["public"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of all events."""

    type: ClassVar[str] = "event"
    seq: int
    t: float
    round: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, ``type`` included (each class gets a generated one, below)."""
        out: dict[str, Any] = {"type": self.type}
        for name in _FIELDS[type(self)]:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    # Frozen, as ``frozen=True`` makes a dataclass (the fields are written by the generated
    # constructors through the slots' descriptors), and picklable despite it.
    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[object]:
        return [getattr(self, name) for name in _FIELDS[type(self)]]

    def __setstate__(self, state: list[object]) -> None:
        for name, value in zip(_FIELDS[type(self)], state, strict=True):
            object.__setattr__(self, name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveMade(Event):
    """An actor used a move type (recorded when the round closes, in canonical order)."""

    type: ClassVar[str] = "move"
    mid: str
    actor: str
    move: str
    target: str | None
    escalation: int
    category: str
    visibility: str
    by: Seat
    rationale: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSent(Event):
    """A message; with ``proposal`` it offers terms the recipients accept or reject."""

    type: ClassVar[str] = "message"
    mid: str
    sender: str
    to: Audience
    text: str
    by: Seat
    proposal: dict[str, Any] | None = None
    """``{"id", "title", "terms", "expires"}`` where ``expires`` is the last round to answer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Answered(Event):
    """A party's answer to a proposal."""

    type: ClassVar[str] = "answer"
    actor: str
    proposal: str
    accept: bool
    by: Seat


@dataclass(frozen=True, slots=True, kw_only=True)
class Overridden(Event):
    """Control forced a move's outcome before it was committed."""

    type: ClassVar[str] = "override"
    mid: str
    outcome: Outcome
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolved(Event):
    """A move's adjudication: success or failure, and who detected it if it was secret."""

    type: ClassVar[str] = "resolved"
    mid: str
    actor: str
    move: str
    outcome: Outcome
    chance: float
    roll: float
    detected_by: tuple[str, ...] = ()
    lands_at: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectApplied(Event):
    """A state value changed."""

    type: ClassVar[str] = "effect"
    source: str
    """The move id, ``inject:ID``, ``trigger:ID``, ``agreement:ID`` or ``breach:ID``."""
    name: str
    value: float | bool
    delta: float


@dataclass(frozen=True, slots=True, kw_only=True)
class InjectDelivered(Event):
    """Control delivered news to an audience (scheduled, by a trigger, or typed ad hoc)."""

    type: ClassVar[str] = "inject"
    id: str
    title: str
    text: str
    audience: Audience
    source: Literal["schedule", "trigger", "control"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerFired(Event):
    """A trigger's condition became true."""

    type: ClassVar[str] = "trigger"
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementMade(Event):
    """Every party accepted a proposal; its commitments are now in force."""

    type: ClassVar[str] = "agreement"
    id: str
    title: str
    parties: tuple[str, ...]
    commitments: tuple[dict[str, Any], ...]
    """Each ``{"forbid": [...], "bound": [...], "until": hours, "label": str}``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProposalClosed(Event):
    """A proposal was rejected by a party or expired unanswered."""

    type: ClassVar[str] = "proposal_closed"
    id: str
    status: Literal["rejected", "expired"]
    parties: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Breach(Event):
    """A move broke a commitment of an agreement in force."""

    type: ClassVar[str] = "breach"
    agreement: str
    actor: str
    mid: str
    move: str
    parties: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FactionShift(Event):
    """An internal faction's influence changed (seen only by its own actor)."""

    type: ClassVar[str] = "faction"
    actor: str
    faction: str
    weight: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlNote(Event):
    """Control paused or resumed the exercise."""

    type: ClassVar[str] = "control"
    action: Literal["pause", "resume"]
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SeatChanged(Event):
    """Control handed a seat to a human, the computer or a script from this round on."""

    type: ClassVar[str] = "seat"
    actor: str
    seat: Seat


@dataclass(frozen=True, slots=True, kw_only=True)
class Revealed(Event):
    """Some actors learned the current values of state names they cannot see (an inject or a
    move that declares ``reveals:``); their beliefs now hold these values."""

    type: ClassVar[str] = "revealed"
    audience: Audience
    values: dict[str, float | bool]
    source: str
    """What revealed them: ``inject:ID`` or a move id."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RedLineCrossed(Event):
    """A computer-played actor found one of its red lines crossed, on what it believed, and
    chose its response (seen by control and that actor only)."""

    type: ClassVar[str] = "red_line"
    actor: str
    red_line: str
    believed: dict[str, float | bool]
    """The believed values of the names the red line reads, when it crossed."""
    response: str | None
    """The move chosen in response (None: no response move was possible)."""
    target: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundClosed(Event):
    """The end of a round's interval; ``hash`` proves the state a replay must reproduce."""

    type: ClassVar[str] = "round_closed"
    hash: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Ended(Event):
    """The exercise reached an end state."""

    type: ClassVar[str] = "ended"
    outcome: str
    title: str
    reason: Literal["condition", "clock"]


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        MoveMade,
        MessageSent,
        Answered,
        Overridden,
        Resolved,
        EffectApplied,
        InjectDelivered,
        TriggerFired,
        AgreementMade,
        ProposalClosed,
        Breach,
        FactionShift,
        ControlNote,
        SeatChanged,
        Revealed,
        RedLineCrossed,
        RoundClosed,
        Ended,
    )
}
_CLASSES: tuple[type[Event], ...] = (Event, *EVENT_TYPES.values())
_FIELDS: dict[type[Event], tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in _CLASSES
}
_TUPLE_FIELDS = {"to", "audience", "detected_by", "parties", "commitments"}


def _tuple_typed(cls: type[Event], name: str) -> bool:
    """Whether a field's annotation admits a tuple (those become lists in :meth:`to_dict`)."""
    note = str(next(f.type for f in fields(cls) if f.name == name))
    return "tuple" in note or "Audience" in note


def _builder(cls: type[Event]) -> type[Event]:
    """A subclass of ``cls`` that adds no slot and lets its fields be assigned: the positional
    constructors fill one in with plain attribute stores, then make it a ``cls``.

    Python specialises a store to a slot into a few machine instructions when the class keeps
    the default ``__setattr__``, while a call to the slot's ``__set__`` goes through a method
    wrapper and an argument tuple; with the class switched once at the end (the same layout, so
    ``__class__`` may be assigned), an event of seven fields is built in about half the time
    (callgrind, the kernel alone: see benchmarks/bench_engine.py). The event is then a plain,
    frozen ``cls``: the builder never escapes its constructor."""
    return type(
        f"{cls.__name__}Builder",
        (cls,),
        {
            "__slots__": (),
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
            "__doc__": f"Builds a {cls.__name__} (see _builder).",
        },
    )


def _compile(classes: tuple[type[Event], ...]) -> dict[type[Event], Callable[..., Event]]:
    """Give every class the methods of a frozen, slotted, keyword-only dataclass (``__init__``,
    ``__repr__``, ``__eq__``, ``__hash__``, as dataclass writes them), a ``to_dict`` that names
    its fields (no loop, no getattr) and a positional constructor (:func:`positional`); return
    the constructors. One ``exec`` for all of them: one compile instead of ~170 small ones.

    The engine builds ~60 events a round and redacts each for every seat, and a keyword call to
    a class builds a dict of its arguments first. The keyword ``__init__`` writes each field
    through its slot's descriptor (``object.__setattr__``, as a frozen dataclass writes them,
    looks the attribute up again every time, at twice the cost); the positional constructors
    store them into a builder (:func:`_builder`), quicker still.
    """
    env: dict[str, Any] = {"_new": object.__new__, "_NotImplemented": NotImplemented}
    lines: list[str] = []
    for c, cls in enumerate(classes):
        names = _FIELDS[cls]
        env[f"_cls{c}"] = cls
        params = []
        for i, f in enumerate(fields(cls)):
            env[f"_s{c}_{i}"] = getattr(cls, f.name).__set__
            if f.default is not dataclasses.MISSING:
                env[f"_d{c}_{i}"] = f.default
                params.append(f"{f.name}=_d{c}_{i}")
            else:
                assert f.default_factory is dataclasses.MISSING, "no factory defaults here"
                params.append(f.name)
        sets = [f"    _s{c}_{i}(self, {n})" for i, n in enumerate(names)]
        mine = "(" + "".join(f"self.{n}," for n in names) + ")"
        theirs = "(" + "".join(f"other.{n}," for n in names) + ")"
        shown = ", ".join(f"{n}={{self.{n}!r}}" for n in names)
        lines += [
            f"def __init__(self, *, {', '.join(params)}):",
            *sets,
            "def __repr__(self):",
            f"    return f'{{self.__class__.__qualname__}}({shown})'",
            "def __eq__(self, other):",
            f"    if other.__class__ is self.__class__:\n        return {mine} == {theirs}",
            "    return _NotImplemented",
            "def __hash__(self):",
            f"    return hash({mine})",
            f"_init{c}, _repr{c}, _eq{c}, _hash{c} = __init__, __repr__, __eq__, __hash__",
        ]
        if cls is Event:
            continue
        items = ", ".join(
            f"{n!r}: (list(self.{n}) if isinstance(self.{n}, tuple) else self.{n})"
            if _tuple_typed(cls, n)
            else f"{n!r}: self.{n}"
            for n in names
        )
        env[f"_build{c}"] = _builder(cls)
        lines += [
            "def to_dict(self):",
            f"    return {{'type': {cls.type!r}, {items}}}",
            f"def make({', '.join(names)}):",
            f"    self = _new(_build{c})",
            *(f"    self.{n} = {n}" for n in names),
            f"    self.__class__ = _cls{c}",
            "    return self",
            f"_to_dict{c}, _make{c} = to_dict, make",
        ]
    # The source is built from the dataclasses' own field names, nothing from outside; its
    # compiled code is kept in the user's cache folder (compiling it was ~7 ms of each start).
    exec(compiled("\n".join(lines) + "\n", "<sitroom events>"), env)
    makers: dict[type[Event], Callable[..., Event]] = {}
    for c, cls in enumerate(classes):
        methods = {"__init__": env[f"_init{c}"], "__repr__": env[f"_repr{c}"]}
        methods |= {"__eq__": env[f"_eq{c}"], "__hash__": env[f"_hash{c}"]}
        if cls is not Event:
            methods["to_dict"] = env[f"_to_dict{c}"]
            methods["to_dict"].__doc__ = Event.to_dict.__doc__
            makers[cls] = env[f"_make{c}"]
            makers[cls].__qualname__ = f"{cls.__qualname__}.make"
        for name, fn in methods.items():
            fn.__qualname__ = f"{cls.__qualname__}.{name}"
            fn.__module__ = __name__
            setattr(cls, name, fn)
    return makers


_MAKERS = _compile(_CLASSES)
E = TypeVar("E", bound=Event)


def positional(cls: type[E]) -> Callable[..., E]:
    """A constructor of ``cls`` taking every field positionally, in declaration order (``seq,
    t, round``, then the class's own): about half the cost of a keyword call, for the events
    the kernel builds by the thousand. The instance is the same frozen dataclass."""
    return cast(Callable[..., E], _MAKERS[cls])


def dumps(obj: dict[str, Any]) -> str:
    """Canonical JSON: sorted keys, compact, UTF-8 text. The log's bytes depend only on content."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its dict; raises KeyError/TypeError/ValueError when malformed."""
    cls = EVENT_TYPES[data["type"]]
    kwargs = {k: v for k, v in data.items() if k != "type"}
    for key in _TUPLE_FIELDS & kwargs.keys():
        if isinstance(kwargs[key], list):
            kwargs[key] = tuple(kwargs[key])
    return cls(**kwargs)
