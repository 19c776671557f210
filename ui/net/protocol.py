"""The wire protocol of networked play: one typed frame per WebSocket text message.

Each direction is a pydantic discriminated union on ``type``, strict (unknown keys and wrong
types are refused), versioned by ``v`` and size-limited before parsing. Inputs travel in their
:mod:`sim.engine.inputs` form, so the server journals exactly what it received; views travel as
:meth:`View.to_json` without their events, which come in numbered ``events`` frames instead (a
seat's ``seq`` numbers what it may see, so a client that reconnects says the last one it saw).
Nothing here carries the state or the log.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from sim.engine.inputs import Input
from sim.models import Orders

VERSION: Literal[1] = 1
MAX_FRAME = 64 * 1024
"""Largest client frame the server reads (characters); bigger ones get a ``too_large`` error."""
MAX_WIRE = 1024 * 1024
"""aiohttp's own limit: a frame above it closes the connection (code 1009)."""

Role = Literal["seat", "control", "observer"]
ErrorCode = Literal[
    "malformed",  # not JSON, not a known frame, or a field of the wrong type
    "too_large",
    "version",
    "unknown_code",  # no such join code, or it was revoked
    "rate_limited",  # too many wrong codes from this address
    "not_joined",  # a frame other than hello before joining
    "forbidden",  # the seat may not send this input
    "illegal",  # the rules refuse it (the message says why)
    "round_closed",  # the input was for a round that has closed
    "ended",
    "busy",  # another process is playing the session
]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]


class Frame(BaseModel):
    """Every frame: strict, frozen, versioned."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    v: Literal[1] = VERSION


# -- client to server --------------------------------------------------------------------------
class Hello(Frame):
    """Join with a code; ``last_seq`` is the last event seq seen (-1: none), to resume from."""

    type: Literal["hello"] = "hello"
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    last_seq: int = Field(default=-1, ge=-1)
    client: Annotated[str, StringConstraints(max_length=80)] = ""


class InputFrame(Frame):
    """An input for round ``round``; ``id`` is the client's, so a resend is recognised."""

    type: Literal["input"] = "input"
    id: ClientId
    round: int
    input: Input


class DraftFrame(Frame):
    """Orders being written: kept on the server and shown to the rest of the team."""

    type: Literal["draft"] = "draft"
    id: ClientId
    round: int
    orders: Orders


class Extend(Frame):
    """Control: move the round's deadline by ``minutes`` (negative shortens it)."""

    type: Literal["extend"] = "extend"
    id: ClientId
    minutes: float = Field(ge=-600, le=600)


class Broadcast(Frame):
    """Control: a notice to every connection (facilitation, not part of the game's log)."""

    type: Literal["broadcast"] = "broadcast"
    id: ClientId
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class CodeAction(Frame):
    """Control: revoke or renew the join code of a role (an actor, ``control`` or
    ``observer``); its holders are disconnected."""

    type: Literal["code"] = "code"
    id: ClientId
    role: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    action: Literal["revoke", "renew"]


class OnDeadline(Frame):
    """Control: what happens to seats that have not submitted when the deadline passes: they
    ``pass`` (empty orders) or the ``computer`` plays them for that round."""

    type: Literal["on_deadline"] = "on_deadline"
    id: ClientId
    then: Literal["pass", "computer"]


class PreviewRequest(Frame):
    """Control: how this round's moves would be ruled if it closed now (answered with a
    ``preview`` frame, then the ack). Nothing is committed; an override is an ``input``."""

    type: Literal["preview"] = "preview"
    id: ClientId


class Ping(Frame):
    """Are you there (the server answers pong)."""

    type: Literal["ping"] = "ping"
    id: ClientId | None = None


ClientFrame = Annotated[
    Hello
    | InputFrame
    | DraftFrame
    | Extend
    | Broadcast
    | CodeAction
    | OnDeadline
    | PreviewRequest
    | Ping,
    Field(discriminator="type"),
]


# -- server to client --------------------------------------------------------------------------
class DeadlineInfo(BaseModel):
    """The round's deadline: ``ends_at`` in Unix seconds, or None (none, or paused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    round: int
    ends_at: float | None = None
    remaining: float | None = None
    """Seconds left (kept while paused)."""
    paused: bool = False


class LockedMove(BaseModel):
    """One of the seat's own moves it may not use now, and the condition that unlocks it in
    words (worded by the server from that seat's own move rules)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    move: str
    why: str


class Welcome(Frame):
    """Joined: who you are, what you see, and the events after the ``last_seq`` of hello."""

    type: Literal["welcome"] = "welcome"
    session: str
    role: Role
    actor: str | None
    view: dict[str, Any]
    events: list[dict[str, Any]]
    draft: dict[str, Any] | None = None
    """The seat's draft for this round, if the team has one."""
    submitted: bool = False
    deadline: DeadlineInfo
    catalogue: dict[str, Any] | None = None
    """Labels, clock and move names for the screens (:class:`ui.net.public.Catalogue`): the
    public scenario as this seat sees it, never its hidden parts."""
    seats: dict[str, str] = Field(default_factory=dict)
    """Actor to who plays it (``human`` or ``computer``)."""
    locked: list[LockedMove] | None = None
    """A seat's own moves it may not use now, and why (None for control and observers)."""


class Events(Frame):
    """Events the connection may see, each with its ``seq``, in order."""

    type: Literal["events"] = "events"
    events: list[dict[str, Any]]


class ViewFrame(Frame):
    """The seat's view now (without events)."""

    type: Literal["view"] = "view"
    view: dict[str, Any]
    locked: list[LockedMove] | None = None
    """A seat's own moves it may not use now, and why (None for control and observers)."""


class Ack(Frame):
    """The frame ``id`` was accepted (an input: journalled as number ``n``)."""

    type: Literal["ack"] = "ack"
    id: str
    n: int | None = None
    duplicate: bool = False


class Error(Frame):
    """A refusal; ``id`` names the frame refused, when it had one."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    id: str | None = None


class SeatPresence(BaseModel):
    """One seat as control sees it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    seat: str
    connections: int
    submitted: bool


class Presence(Frame):
    """Control only: who is connected, who has submitted, the time left."""

    type: Literal["presence"] = "presence"
    round: int
    seats: dict[str, SeatPresence]
    control: int
    observers: int
    deadline: DeadlineInfo
    on_deadline: Literal["pass", "computer"] = "pass"
    """What happens to unsubmitted seats at the deadline."""


class Deadline(Frame):
    """The round's deadline changed (a new round, an extension, a pause)."""

    type: Literal["deadline"] = "deadline"
    deadline: DeadlineInfo


class DraftUpdate(Frame):
    """A teammate changed the seat's draft."""

    type: Literal["draft"] = "draft"
    round: int
    orders: dict[str, Any]
    by: str


class Submitted(Frame):
    """The seat's orders for the round were submitted (by this or another connection)."""

    type: Literal["submitted"] = "submitted"
    round: int
    orders: dict[str, Any]


class Notice(Frame):
    """Control's broadcast."""

    type: Literal["notice"] = "notice"
    text: str


class CodeIssued(Frame):
    """Control: the new code of a role after ``renew`` (sent only to the control asking)."""

    type: Literal["code"] = "code"
    role: str
    code: str | None


class RulingInfo(BaseModel):
    """One move's adjudication before the round closes (:class:`sim.engine.adjudicate.Ruling`)
    and the agreements in force it would breach, in words."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mid: str
    actor: str
    move: str
    target: str | None
    chance: float
    roll: float
    outcome: Literal["success", "failure", "cancelled"]
    detected_by: list[str]
    override_note: str | None = None
    """Set when control forced the outcome (the note it gave, maybe empty)."""
    breaches: list[str] = Field(default_factory=list)


class Preview(Frame):
    """Control only: the adjudication preview of the open round."""

    type: Literal["preview"] = "preview"
    id: str | None = None
    round: int
    rulings: list[RulingInfo]


class DebriefEnding(BaseModel):
    """How the exercise ended: the end condition met (or the clock) and what it means."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    description: str = ""


class DebriefObjective(BaseModel):
    """A learning objective and whether the final state meets it (None: not measured)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    met: bool | None = None


class Debrief(Frame):
    """Control only, once the exercise has ended: what its debrief needs beyond the omniscient
    view (the ending's meaning, the learning objectives). Seats and observers debrief from
    their own view and events, exactly what ``export --as`` gives them."""

    type: Literal["debrief"] = "debrief"
    endings: list[DebriefEnding]
    objectives: list[DebriefObjective]


class Pong(Frame):
    """The answer to ping."""

    type: Literal["pong"] = "pong"
    id: str | None = None


ServerFrame = Annotated[
    Welcome
    | Events
    | ViewFrame
    | Ack
    | Error
    | Presence
    | Deadline
    | DraftUpdate
    | Submitted
    | Notice
    | CodeIssued
    | Preview
    | Debrief
    | Pong,
    Field(discriminator="type"),
]

_CLIENT: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
_SERVER: TypeAdapter[ServerFrame] = TypeAdapter(ServerFrame)


class ProtocolError(ValueError):
    """A frame that cannot be read; ``code`` and the message go back in an error frame."""

    def __init__(self, code: ErrorCode, message: str, frame_id: str | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.frame_id = frame_id


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'frame'}: {err['msg']}"
        for err in exc.errors()[:5]
    )


def parse_client(text: str) -> ClientFrame:
    """A client frame from its text; raise ProtocolError saying what is wrong.

    A good frame is validated straight from its text (one pass in pydantic-core, no Python
    dict in between); only a refused one is decoded again, to say why and which frame it was."""
    if len(text) > MAX_FRAME:
        raise ProtocolError("too_large", f"frame of {len(text)} characters; at most {MAX_FRAME}")
    try:
        return _CLIENT.validate_json(text)
    except ValidationError as exc:
        problems = _problems(exc)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError("malformed", f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ProtocolError("malformed", "a frame is a JSON object")
    frame_id = data.get("id") if isinstance(data.get("id"), str) else None
    if data.get("v", VERSION) != VERSION:
        raise ProtocolError(
            "version", f"protocol version {data.get('v')!r}; this server speaks {VERSION}"
        )
    raise ProtocolError("malformed", problems, frame_id)


def parse_server(text: str) -> ServerFrame:
    """A server frame from its text (the client side)."""
    try:
        return _SERVER.validate_json(text)
    except ValidationError as exc:
        raise ProtocolError("malformed", _problems(exc)) from None


def encode(frame: Frame) -> str:
    """A frame's text."""
    return frame.model_dump_json()


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_ack(frame_id: str, n: int | None = None, duplicate: bool = False) -> str:
    """The text of ``Ack(id=frame_id, n=n, duplicate=duplicate)``, without building the model:
    one per frame a client sends. A test holds it equal to :func:`encode`."""
    nn = "null" if n is None else str(int(n))
    dup = "true" if duplicate else "false"
    return f'{{"v":1,"type":"ack","id":{_dumps(frame_id)},"n":{nn},"duplicate":{dup}}}'


def encode_trusted(frame_type: Literal["view", "events"], **fields: Any) -> str:
    """The text of a ``view`` or ``events`` frame from data the server built itself in wire
    form, without pydantic's validation and copy of it: the round-close fan-out's hot path.
    A test holds it equal to :func:`encode` of the model."""
    return pydantic_core.to_json({"v": VERSION, "type": frame_type, **fields}).decode()
