"""Reading, writing, replaying and verifying JSON Lines event logs.

A log is a header line then one event per line. Replay re-executes the scenario from the header's
seed and seats, feeding back the inputs the log records (human and script orders, control actions)
while computer seats decide afresh; verification compares every event, round hashes included, and
names the first one that differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.authoring.problems import shorten
from sim.engine.events import (
    Answered,
    ControlNote,
    EffectApplied,
    Event,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Overridden,
    RoundClosed,
    SeatChanged,
    dumps,
    from_dict,
)
from sim.engine.inputs import (
    AdHocInject,
    Close,
    Input,
    Override,
    Pause,
    Resume,
    Send,
    SetSeat,
    Submit,
)
from sim.engine.session import LOG_FORMAT, Session
from sim.models import Effect, Orders
from sim.models.script import MessageOrder

HEADER_KEYS = ("format", "engine", "scenario", "scenario_ref", "scenario_hash", "seed", "seats")


MAX_LOG_BYTES = 256 * 1024 * 1024
"""Largest log read (a 100-round session with chatty players is a few MB)."""
MAX_LINE_CHARS = 1024 * 1024
"""Longest line of a log; events are a few hundred characters."""
_SCENARIO_REF = re.compile(r"[a-z][a-z0-9_-]*|.+\.ya?ml")
"""A bundled scenario id, or a path to a YAML file (so a header cannot send the loader to read
and echo an arbitrary file)."""


class LogError(ValueError):
    """A log that cannot be read: missing, not JSON Lines, or not a sitroom log."""


@dataclass(frozen=True, slots=True)
class Log:
    """A parsed log."""

    header: dict[str, Any]
    events: list[Event]


def lines(header: dict[str, Any], events: Iterable[Event]) -> Iterator[str]:
    """The log's lines (without newlines)."""
    yield dumps(header)
    for event in events:
        yield dumps(event.to_dict())


def write_log(path: str | Path, header: dict[str, Any], events: Iterable[Event]) -> None:
    """Write a log atomically (see :func:`sim.record.output.write_text`): a crash leaves either
    the old file or the new one, never half; a device or FIFO is written into, never replaced."""
    from sim.record.output import write_text

    write_text(path, (line + "\n" for line in lines(header, events)), "log")


def parse_log(text: str, name: str = "<log>") -> Log:
    """Parse log text; raise :class:`LogError` naming the line of the first problem."""
    rows = text.splitlines()
    if not rows or not rows[0].strip():
        raise LogError(f"{name}: empty file; a sitroom log starts with a header line")
    if len(rows[0]) > MAX_LINE_CHARS:
        raise LogError(f"{name}:1: not a sitroom log (the header line is too long)")
    try:
        header = json.loads(rows[0])
    except RecursionError:
        raise LogError(f"{name}:1: not a sitroom log (JSON nested too deeply)") from None
    except json.JSONDecodeError as exc:
        raise LogError(f"{name}:1: not a sitroom log (the header is not JSON: {exc.msg})") from None
    if not isinstance(header, dict) or header.get("format") != LOG_FORMAT:
        raise LogError(f"{name}:1: not a sitroom log (expected format '{LOG_FORMAT}')")
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise LogError(f"{name}:1: header lacks {', '.join(missing)}")
    seats = header["seats"]
    if not isinstance(seats, dict) or not all(
        isinstance(a, str) and s in ("human", "computer", "script") for a, s in seats.items()
    ):
        raise LogError(f"{name}:1: header 'seats' must map actor ids to human, computer or script")
    seed = header["seed"]
    if not (isinstance(seed, int) and not isinstance(seed, bool)) and not (
        seed is None and header.get("redacted_for")
    ):
        raise LogError(f"{name}:1: header 'seed' must be a whole number")
    if not isinstance(header["scenario_ref"], str) or not isinstance(header["scenario"], str):
        raise LogError(f"{name}:1: header 'scenario' and 'scenario_ref' must be text")
    if not _SCENARIO_REF.fullmatch(header["scenario_ref"]) or "\x00" in header["scenario_ref"]:
        raise LogError(
            f"{name}:1: header 'scenario_ref' must be a scenario id or a .yaml path, not "
            f"'{shorten(header['scenario_ref'], 60)}'"
        )
    if isinstance(seed, int) and not -(2**63) <= seed < 2**63:
        raise LogError(f"{name}:1: header 'seed' is out of range (a 64-bit whole number)")
    rounds = header.get("rounds")
    if "rounds" in header and (
        isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1
    ):
        raise LogError(f"{name}:1: header 'rounds' must be a whole number from 1, not {rounds!r}")
    events: list[Event] = []
    for n, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        if len(row) > MAX_LINE_CHARS:
            raise LogError(f"{name}:{n}: line too long ({len(row):,} characters)")
        try:
            data = json.loads(row)
            if not isinstance(data, dict):
                raise TypeError("an event is a JSON object")
            event = from_dict(data)
        except RecursionError:
            raise LogError(f"{name}:{n}: corrupt line (JSON nested too deeply)") from None
        except json.JSONDecodeError as exc:
            raise LogError(f"{name}:{n}: corrupt line ({exc.msg} at column {exc.colno})") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LogError(f"{name}:{n}: not a valid event ({shorten(exc, 120)})") from None
        if event.seq != len(events):
            raise LogError(
                f"{name}:{n}: event seq {event.seq} where {len(events)} was expected "
                "(lines missing, duplicated or reordered)"
            )
        events.append(event)
    return Log(header, events)


def read_log(path: str | Path) -> Log:
    """Read and parse a log file (a regular file of at most :data:`MAX_LOG_BYTES`)."""
    from sim.authoring.yamlsrc import Unreadable, read_regular

    path = Path(path)
    try:
        raw = read_regular(path, MAX_LOG_BYTES, "log file")
    except Unreadable as exc:
        raise LogError(f"{path}: {exc.reason}") from None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise LogError(f"{path}: UTF-16 text; sitroom logs are UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LogError(f"{path}: not a text file (not UTF-8)") from None
    return parse_log(text, str(path))


def inputs_from_log(log: Log) -> list[Input]:
    """The inputs that produced a log: non-computer orders and control actions, round by round.

    Control actions (seat changes, injects, pauses, overrides) keep their log order. The
    round's orders go in just before its first override (overrides name moves, so the orders
    must be in), but after a later seat change that handed their actor to a human or script.
    Replayed orders are not re-checked, so their place relative to injects does not matter.
    """
    seats = dict(log.header["seats"])
    out: list[Input] = []
    orders: dict[str, dict[str, list[Any]]] = {}
    control: list[Input] = []
    for e in log.events:
        if isinstance(e, MoveMade) and seats.get(e.actor) != "computer":
            orders.setdefault(e.actor, {}).setdefault("moves", []).append(
                {"move": e.move} | ({"target": e.target} if e.target else {})
            )
        elif isinstance(e, MessageSent) and seats.get(e.sender) != "computer":
            msg: dict[str, Any] = {"to": e.to if e.to == "public" else list(e.to), "text": e.text}
            if e.proposal is not None:
                msg["proposal"] = {
                    "title": e.proposal["title"],
                    "terms": e.proposal["terms"],
                    "expires_after": e.proposal["expires"] - e.round,
                }
            if sent_now(e):
                # Delivered inside the round: an input of its own, in log order.
                control.append(Send(actor=e.sender, message=MessageOrder.model_validate(msg)))
            else:
                orders.setdefault(e.sender, {}).setdefault("messages", []).append(msg)
        elif isinstance(e, Answered) and seats.get(e.actor) != "computer":
            orders.setdefault(e.actor, {}).setdefault("answers", []).append(
                {"proposal": e.proposal, "accept": e.accept}
            )
        elif isinstance(e, Overridden):
            control.append(Override(mid=e.mid, outcome=e.outcome, note=e.note))
        elif isinstance(e, InjectDelivered) and e.source == "control":
            effects = [
                Effect.model_validate({"set": x.name, "to": x.value})
                for x in _inject_effects(log, e)
            ]
            audience = e.audience if e.audience == "public" else list(e.audience)
            control.append(
                AdHocInject(title=e.title, text=e.text, audience=audience, effects=effects)
            )
        elif isinstance(e, SeatChanged):
            seats[e.actor] = e.seat
            control.append(SetSeat(actor=e.actor, seat=e.seat))
        elif isinstance(e, ControlNote):
            control.append(Pause(note=e.note) if e.action == "pause" else Resume())
        elif isinstance(e, RoundClosed):
            out.extend(_with_orders(control, orders))
            out.append(Close())
            orders, control = {}, []
    out.extend(control)
    return out


def sent_now(message: MessageSent) -> bool:
    """Whether a message was delivered inside its round (``Session.send``: ``c3.us.s1``) rather
    than with the round's orders (``c3.us.1``)."""
    return message.mid.rsplit(".", 1)[-1].startswith("s")


def _with_orders(control: list[Input], orders: dict[str, dict[str, list[Any]]]) -> list[Input]:
    """A round's control actions with its orders inserted where replay can accept them."""
    at = next((i for i, c in enumerate(control) if isinstance(c, Override)), len(control))
    after: dict[int, list[Input]] = {}
    for actor, o in orders.items():
        late = [
            i
            for i, c in enumerate(control)
            if isinstance(c, SetSeat) and c.actor == actor and i >= at
        ]
        after.setdefault(late[-1] + 1 if late else at, []).append(
            Submit(actor=actor, orders=Orders.model_validate(o))
        )
    out: list[Input] = []
    for i in range(len(control) + 1):
        out.extend(after.get(i, []))
        if i < len(control):
            out.append(control[i])
    return out


def _inject_effects(log: Log, inject: InjectDelivered) -> list[EffectApplied]:
    source = f"inject:{inject.id}"
    return [
        e
        for e in log.events[inject.seq + 1 :]
        if isinstance(e, EffectApplied) and e.source == source
    ]


@dataclass(frozen=True, slots=True)
class Divergence:
    """The first event where a replay differs from its log."""

    seq: int
    expected: dict[str, Any] | None
    got: dict[str, Any] | None

    def describe(self) -> str:
        """One paragraph for humans."""
        exp = dumps(self.expected) if self.expected else "(nothing: the log ends here)"
        got = dumps(self.got) if self.got else "(nothing: the replay ends here)"
        return f"first divergence at event {self.seq}:\n  log:    {exp}\n  replay: {got}"


def compare(expected: Sequence[Event], got: Sequence[Event]) -> Divergence | None:
    """The first differing event of two event sequences, compared as the bytes of their log
    lines (a NaN never equals itself as a number, but its line does)."""
    for i in range(max(len(expected), len(got))):
        a = expected[i].to_dict() if i < len(expected) else None
        b = got[i].to_dict() if i < len(got) else None
        if a is None or b is None or dumps(a) != dumps(b):
            return Divergence(i, a, b)
    return None


def replay_inputs(
    session: Session, inputs: Iterable[Input], until_round: int | None = None
) -> None:
    """Feed inputs to a fresh session, stopping after ``until_round`` closes (if given)."""
    for inp in inputs:
        if until_round is not None and session.round > until_round:
            break
        session.apply(inp, trusted=True)
        if session.over:
            break


def truncate(log: Log, until_round: int) -> Log:
    """The log up to and including the close of ``until_round`` (for forking)."""
    cut = len(log.events)
    for e in log.events:
        if isinstance(e, RoundClosed) and e.round == until_round:
            cut = e.seq + 1
            break
    else:
        rounds = [e.round for e in log.events if isinstance(e, RoundClosed)]
        last = rounds[-1] if rounds else 0
        raise LogError(f"the log has no round {until_round} (it closes rounds 1..{last})")
    return Log(log.header, log.events[:cut])
