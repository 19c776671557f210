"""One served exercise: the archived session, its codes, drafts, deadline and connections.

Everything here runs on the server's event loop and never awaits, so each input is checked,
journalled (fsync'd by the archive before the session acts on it), applied and fanned out before
the next frame is read: one writer, inputs in arrival order. Connections are "members" keyed by
what they see: an actor's id (the whole team shares it), ``control`` or ``observer``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, Protocol

from sim.engine.events import Answered, MessageSent
from sim.engine.inputs import Close, IllegalInput, Pause, Resume, SetSeat, Submit
from sim.engine.view import Feed
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import MoveOrder
from sim.record.archive import ArchivedSession
from sim.record.store import ArchiveError, ClockRecord
from ui.net.codes import digest, new_code
from ui.net.protocol import (
    Ack,
    CodeIssued,
    Deadline,
    DeadlineInfo,
    Debrief,
    DebriefEnding,
    DebriefObjective,
    DraftFrame,
    DraftUpdate,
    Error,
    ErrorCode,
    Frame,
    InputFrame,
    LockedMove,
    Presence,
    Preview,
    Role,
    RulingInfo,
    SeatPresence,
    Submitted,
    Welcome,
    encode,
    encode_ack,
    encode_trusted,
)
from ui.net.public import PublicFeed, catalogue, public_view, wire_view

CONTROL = "control"
OBSERVER = "observer"
SEAT_OPS = frozenset({"submit", "send"})
CONTROL_OPS = frozenset({"override", "inject", "pause", "resume", "seat", "close"})


Then = Literal["pass", "computer"]
"""What becomes of seats that have not submitted when the deadline passes."""

Wording = Callable[[World, str, str], str]
"""(world, condition source, actor) to the condition in words."""


class Member(Protocol):
    """What the exercise needs of a connection."""

    key: str
    label: str
    sent: int
    """Events of its feed it has been sent."""

    def push(self, text: str) -> None:
        """Queue a frame's text for sending."""

    def drop(self, code: ErrorCode, message: str) -> None:
        """Send an error and disconnect."""


def refusal(key: str, op: str, actor: str | None) -> str | None:
    """Why the holder of ``key`` may not send this input (None: it may)."""
    if key == OBSERVER:
        return "observers cannot send inputs"
    if key == CONTROL:
        return None if op in CONTROL_OPS else f"control cannot {op}; the seat's team does"
    if op not in SEAT_OPS:
        return f"only control may {op}"
    if actor != key:
        return f"the {key} seat cannot act for {actor}"
    return None


class Clock:
    """The round's deadline: armed at each round's start, held while paused, extendable.

    Every change is handed to ``journal`` (the exercise writes it to the archive inside the
    server's batch, so it is on disk before the control input that made it is acknowledged).
    A running deadline is kept as a wall time, so a server started again after a crash knows
    what is left, or that the deadline passed while it was down.
    """

    def __init__(
        self,
        minutes: float | None,
        on_expire: Callable[[], None],
        journal: Callable[[ClockRecord], None] | None = None,
        on_deadline: Then = "pass",
    ) -> None:
        self.minutes = minutes
        """Length of the rounds that open from now on (None: no deadline)."""
        self.on_expire = on_expire
        self.journal = journal
        self.on_deadline: Then = on_deadline
        self.round = 0
        """The round the deadline belongs to."""
        self.remaining: float | None = None
        self.ends_at: float | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._journalled = False

    def start(self, paused: bool, round: int) -> None:
        """A new round opens."""
        self._cancel()
        self.round = round
        self.remaining = None if self.minutes is None else self.minutes * 60
        if not paused and self.remaining is not None:
            self._arm()
        self._save()

    def restore(self, saved: ClockRecord | None, paused: bool, round: int) -> None:
        """A resumed server: the open round keeps the deadline journalled for it (running on
        from its wall time, or held with what was left); a round with none journalled gets a
        fresh one (see docs/facilitator.md)."""
        self._journalled = saved is not None  # a row once written is kept current
        if (
            saved is None
            or saved.round != round
            or (saved.ends_at, saved.remaining) == (None, None)
        ):
            self.start(paused, round)
            return
        self._cancel()
        self.round = round
        if saved.ends_at is not None:
            self.remaining = max(0.0, saved.ends_at - time.time())
        else:
            self.remaining = saved.remaining
        if not paused:
            # Armed at the journalled wall time: passed already, it fires at once.
            self._arm(saved.ends_at)
        self._save()

    def pause(self) -> None:
        if self.ends_at is not None:
            self.remaining = max(0.0, self.ends_at - time.time())
            self._cancel()
            self._save()

    def resume(self) -> None:
        if self.ends_at is None and self.remaining is not None:
            self._arm()
            self._save()

    def extend(self, minutes: float, paused: bool) -> None:
        left = self.left() or 0.0
        self._cancel()
        self.remaining = max(0.0, left + minutes * 60)
        if not paused:
            self._arm()
        self._save()

    def stop(self) -> None:
        self._cancel()
        self.remaining = None
        self._save()

    def choose(self, then: Then) -> None:
        """Control's choice of what becomes of late seats."""
        self.on_deadline = then
        self._save()

    def left(self) -> float | None:
        if self.ends_at is not None:
            return max(0.0, self.ends_at - time.time())
        return self.remaining

    def info(self, round: int) -> DeadlineInfo:
        left = self.left()
        return DeadlineInfo(
            round=round,
            ends_at=self.ends_at,
            remaining=None if left is None else round_to(left),
            paused=self.ends_at is None and self.remaining is not None,
        )

    def record(self) -> ClockRecord:
        """The clock as the archive keeps it: a running deadline by its wall time only, a held
        one by the seconds it has left."""
        held = None if self.ends_at is not None else self.remaining
        return ClockRecord(self.round, self.minutes, self.ends_at, held, self.on_deadline)

    def _save(self) -> None:
        # A session served without a clock and with the default choice has nothing to keep:
        # no row (and no fsync per exercise at start); once a row exists it is kept current.
        if self.journal is None:
            return
        empty = self.minutes is None and self.remaining is None and self.on_deadline == "pass"
        if empty and not self._journalled:
            return
        self._journalled = True
        self.journal(self.record())

    def _arm(self, at: float | None = None) -> None:
        assert self.remaining is not None
        self.ends_at = at if at is not None else time.time() + self.remaining
        delay = max(0.0, self.ends_at - time.time())
        self._handle = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.ends_at, self.remaining = None, None
        self.on_expire()

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.ends_at = None


def round_to(seconds: float) -> float:
    return round(seconds, 1)


class Exercise:
    """A session served to its seats."""

    def __init__(
        self,
        archived: ArchivedSession,
        *,
        auto_close: bool = False,
        round_minutes: float | None = None,
        on_deadline: Then | None = None,
        words: Wording | None = None,
    ) -> None:
        """``round_minutes``/``on_deadline`` None: what the archive journalled for a resumed
        session (no clock, "pass" for a new one); given on resume, minutes apply from the
        next round on (the open round keeps its deadline)."""
        self.archived = archived
        self.words = words
        """Words a move's condition (the TUI's wording, handed in by ``sitroom serve``: this
        package does not import the TUI); None: locked moves read "not possible now"."""
        self._why: dict[tuple[str, str], str] = {}
        self.session = archived.session
        self.id = archived.id
        self.archive = archived.archive
        self.auto_close = auto_close
        self.members: dict[str, set[Member]] = {}
        self.drafts = self.archive.drafts(self.id)
        self.tags = self.archive.input_tags(self.id)
        self.hashes: dict[str, str] = self.archive.codes(self.id)
        self.public = PublicFeed()
        self._feeds: dict[str, Feed] = {}
        """The server's own feeds (not the session's): shared by a key's members, never
        copied, only ever appended to."""
        self._views: dict[str, tuple[int, Any]] = {}
        self._catalogues: dict[str, dict[str, Any]] = {}
        self._control: tuple[int, Any] | None = None
        self._published = len(self.session.log)
        self._acks: list[tuple[Member, str]] = []
        self.on_dirty: Callable[[Exercise], None] = Exercise.publish
        """Called when there are events to publish: the server queues the exercise for its
        publisher task, so computing views never delays acknowledging inputs."""
        saved = self.archive.clock(self.id)
        if round_minutes is None and saved is not None:
            round_minutes = saved.minutes
        if on_deadline is None:
            on_deadline = saved.on_deadline if saved is not None else "pass"
        self.clock = Clock(round_minutes, self.expire, self._journal_clock, on_deadline)
        s = self.session
        if s.over:
            self.clock.stop()
        else:
            self.clock.restore(saved, s.state.paused, s.round)

    def _journal_clock(self, record: ClockRecord) -> None:
        self.archive.save_clock(self.id, record)

    @property
    def on_deadline(self) -> Then:
        """What becomes of seats that have not submitted when the deadline passes (control
        may change it): they pass, or the computer plays them for that round. Journalled
        with the clock."""
        return self.clock.on_deadline

    @on_deadline.setter
    def on_deadline(self, then: Then) -> None:
        self.clock.choose(then)

    # -- codes ---------------------------------------------------------------------------------
    def roles(self) -> list[str]:
        """Roles that get a code at the start: human seats, control, observers."""
        humans = [a for a, s in self.session.seats.items() if s == "human"]
        return [*humans, CONTROL, OBSERVER]

    def issue(self, roles: list[str]) -> dict[str, str]:
        """New codes for ``roles`` (replacing old ones); only their hashes are kept."""
        codes = {r: new_code() for r in roles}
        self.hashes.update({r: digest(c) for r, c in codes.items()})
        self.archive.set_codes(self.id, {r: digest(c) for r, c in codes.items()})
        return codes

    def holds(self, codes: dict[str, str]) -> bool:
        """Whether ``codes`` are exactly this exercise's current codes (a resumed server
        re-reading its codes file)."""
        return bool(codes) and all(self.hashes.get(r) == digest(c) for r, c in codes.items())

    def role_for(self, hashed: str) -> str | None:
        return next((r for r, h in self.hashes.items() if h == hashed), None)

    def code_action(self, member: Member, frame_id: str, role: str, action: str) -> None:
        roles = [*self.session.world.actors, CONTROL, OBSERVER]
        if role not in roles:
            self.error(member, "illegal", f"no role '{role}' (roles: {', '.join(roles)})", frame_id)
            return
        if role == CONTROL and action == "revoke":
            self.error(member, "illegal", "control's code can be renewed, not revoked", frame_id)
            return
        code = None
        if action == "renew":
            code = self.issue([role])[role]
        else:
            self.hashes.pop(role, None)
            self.archive.set_codes(self.id, {role: None})
        for other in list(self.members.get(role, ())):
            if other is not member:
                other.drop("unknown_code", f"the {role} code was {action}d by control")
        member.push(encode(CodeIssued(role=role, code=code)))
        member.push(encode(Ack(id=frame_id)))

    # -- what members see ----------------------------------------------------------------------
    def feed(self, key: str) -> list[dict[str, Any]]:
        s = self.session
        if key == OBSERVER:
            return self.public.update(s.log, s.state, s.world)
        feed = self._feeds.get(key)
        if feed is None:
            feed = self._feeds[key] = Feed(None if key == CONTROL else key)
        return feed.update(s.log, s.state, s.world)

    def view_json(self, key: str) -> dict[str, Any]:
        """The key's view without events, cached until the log grows (state only changes by
        events, so a submit leaves every view as it was)."""
        cached = self._views.get(key)
        if cached is not None and cached[0] == len(self.session.log):
            return dict(cached[1])
        view = self.session.view(None if key in (CONTROL, OBSERVER) else key)
        if key == OBSERVER:
            view = public_view(view, self.session.world)
        data = wire_view(view)
        self._views[key] = (len(self.session.log), data)
        return dict(data)

    def catalogue_json(self, key: str) -> dict[str, Any]:
        """The public catalogue for ``key``'s screens (cached: the scenario does not change)."""
        cached = self._catalogues.get(key)
        if cached is None:
            who = None if key == CONTROL else key
            cached = catalogue(self.session.world, who).model_dump(mode="json")
            self._catalogues[key] = cached
        return cached

    def _views_now(self, key: str) -> dict[str, Any]:
        """The key's wire view (not copied: only serialised). The observers' is cut from
        control's View, so one omniscient view serves both."""
        cached = self._views.get(key)
        if cached is not None and cached[0] == len(self.session.log):
            return dict(cached[1])
        if key not in (CONTROL, OBSERVER):
            return self.view_json(key)
        control = self._control_view()
        view = public_view(control, self.session.world) if key == OBSERVER else control
        data = wire_view(view)
        self._views[key] = (len(self.session.log), data)
        return data

    def locked_json(self, key: str) -> list[dict[str, str]] | None:
        """A seat's own moves it may not use now, each with the condition that unlocks it in
        words, from that seat's move rules alone (None for control and observers)."""
        world = self.session.world
        usable = world.usable.get(key)
        if usable is None:
            return None
        legal = self._views_now(key)["legal"]
        open_ = {m for m, _t in legal}
        out = []
        for mid in usable:
            if mid in open_:
                continue
            why = self._why.get((key, mid))
            if why is None:
                requires = world.moves[mid].type.requires
                why = "not possible now"
                if requires and self.words is not None:
                    why = f"possible when {self.words(world, requires, key)}"
                self._why[(key, mid)] = why
            out.append({"move": mid, "why": why})
        return out

    def locked(self, key: str) -> list[LockedMove] | None:
        data = self.locked_json(key)
        return None if data is None else [LockedMove(**m) for m in data]

    def preview(self, member: Member, frame_id: str) -> None:
        """Control asks how the open round would be ruled now (nothing is committed)."""
        s = self.session
        if s.over:
            self.error(member, "ended", f"the exercise has ended ({s.state.outcome})", frame_id)
            return
        rulings = [
            RulingInfo(
                mid=r.mid,
                actor=r.actor,
                move=r.move,
                target=r.target,
                chance=r.chance,
                roll=r.roll,
                outcome=r.outcome,
                detected_by=list(r.detected_by),
                override_note=r.override_note,
                # The kernel rules on breaches when the round closes; the same rule, asked now.
                breaches=s.warnings(
                    r.actor, Orders(moves=[MoveOrder(move=r.move, target=r.target)])
                ),
            )
            for r in s.preview()
        ]
        member.push(encode(Preview(id=frame_id, round=s.round, rulings=rulings)))
        member.push(encode(Ack(id=frame_id)))

    def debrief(self) -> Debrief:
        """What control's debrief needs beyond its view: the endings' meaning and the learning
        objectives, measured on the final state."""
        world = self.session.world
        sc = world.scenario
        measures = dict(world.objectives)
        values = self._control_view().values

        def met(oid: str) -> bool | None:
            measure = measures.get(oid)
            return None if measure is None else bool(measure(values))

        return Debrief(
            endings=[
                DebriefEnding(id=c.id, title=c.title, description=c.description)
                for c in sc.end_conditions
            ],
            objectives=[
                DebriefObjective(
                    id=o.id,
                    text=o.text,
                    met=met(o.id),
                )
                for o in sc.objectives
            ],
        )

    def _control_view(self) -> Any:
        n = len(self.session.log)
        if self._control is None or self._control[0] != n:
            self._control = (n, self.session.view(None))
        return self._control[1]

    def join(self, member: Member, last_seq: int) -> None:
        key = member.key
        self.members.setdefault(key, set()).add(member)
        s = self.session
        actor = key if key not in (CONTROL, OBSERVER) else None
        draft = self.drafts.get(key)
        role: Role = "control" if key == CONTROL else "observer" if key == OBSERVER else "seat"
        feed = self.feed(key)
        member.push(
            encode(
                Welcome(
                    session=self.id,
                    role=role,
                    actor=actor,
                    view=self.view_json(key),
                    events=feed[last_seq + 1 :],
                    draft=draft[1] if draft is not None and draft[0] == s.round else None,
                    submitted=actor is not None and s.submitted(actor) is not None,
                    deadline=self.clock.info(s.round),
                    catalogue=self.catalogue_json(key),
                    seats=dict(s.seats),
                    locked=self.locked(key),
                )
            )
        )
        member.sent = len(feed)
        if key == CONTROL and s.over:
            member.push(encode(self.debrief()))
        self.presence()

    def leave(self, member: Member) -> None:
        group = self.members.get(member.key)
        if group is not None and member in group:
            group.discard(member)
            self.presence()

    def send_all(self, frame: Frame, keys: set[str] | None = None) -> None:
        text = encode(frame)
        for key, group in self.members.items():
            if keys is None or key in keys:
                for m in group:
                    m.push(text)

    def presence(self) -> None:
        if not self.members.get(CONTROL):
            return
        s = self.session
        seats = {
            a: SeatPresence(
                seat=seat,
                connections=len(self.members.get(a, ())),
                submitted=s.submitted(a) is not None,
            )
            for a, seat in s.seats.items()
        }
        frame = Presence(
            round=s.round,
            seats=seats,
            control=len(self.members.get(CONTROL, ())),
            observers=len(self.members.get(OBSERVER, ())),
            deadline=self.clock.info(s.round),
            on_deadline=self.on_deadline,
        )
        self.send_all(frame, {CONTROL})

    def settle(self) -> None:
        """Send the acks held back since the last call (the server calls it once the batch
        they belong to is committed), and have the new events and views published."""
        acks, self._acks = self._acks, []
        for member, text in acks:
            member.push(text)
        if len(self.session.log) != self._published:
            self.on_dirty(self)

    def publish(self) -> None:
        """Send every member the events it has not seen and, where it changed, its view
        (computed once per key, however many inputs came since the last publish)."""
        for _key in self.publish_steps():
            pass

    def publish_steps(self) -> Iterator[str]:
        """:meth:`publish`, yielding after each key's view, so the server's loop can journal
        and acknowledge between two views (a seat's view with its legal options is the
        costly part of a round's close: milliseconds each)."""
        log = self.session.log
        if len(log) == self._published:
            return
        new = log[self._published :]
        self._published = len(log)
        # Messages and answers change only what their parties see (a plain message changes no
        # state at all), so for them only the seats whose feed grew get a new view.
        chat = all(isinstance(e, MessageSent | Answered) for e in new)
        plain = chat and all(isinstance(e, MessageSent) and e.proposal is None for e in new)
        for key, members in list(self.members.items()):
            group = list(members)
            if not group:
                continue
            feed = self.feed(key)
            grew = any(m.sent < len(feed) for m in group)
            if chat and not grew:
                continue
            view = None
            if not plain:
                locked = self.locked_json(key)
                view = encode_trusted("view", view=self._views_now(key), locked=locked)
            by_sent: dict[int, str] = {}
            for m in group:
                if m.sent < len(feed):
                    if m.sent not in by_sent:
                        by_sent[m.sent] = encode_trusted("events", events=feed[m.sent :])
                    m.push(by_sent[m.sent])
                if view is not None:
                    m.push(view)
                m.sent = len(feed)
            yield key

    # -- inputs --------------------------------------------------------------------------------
    def error(self, member: Member, code: ErrorCode, message: str, fid: str | None) -> None:
        member.push(encode(Error(code=code, message=message, id=fid)))

    def receive_input(self, member: Member, frame: InputFrame) -> None:
        inp = frame.input
        tag = f"{member.key}:{frame.id}"
        if tag in self.tags:
            member.push(encode_ack(frame.id, self.tags[tag], duplicate=True))
            return
        why = refusal(member.key, inp.op, getattr(inp, "actor", None))
        if why is not None:
            self.error(member, "forbidden", why, frame.id)
            return
        s = self.session
        if s.over:
            self.error(member, "ended", f"the exercise has ended ({s.state.outcome})", frame.id)
            return
        if frame.round != s.round:
            when = "has closed" if frame.round < s.round else "has not opened"
            self.error(
                member,
                "round_closed",
                f"round {frame.round} {when}; round {s.round} is open (nothing was applied)",
                frame.id,
            )
            return
        ok, n = self.apply(inp, tag, member, frame.id)
        if ok:
            self.after(inp)
            self._acks.append((member, encode_ack(frame.id, n)))

    def apply(
        self, inp: Any, tag: str | None, member: Member | None, fid: str | None
    ) -> tuple[bool, int | None]:
        """Journal and perform one input: whether it was accepted, and the number it was
        journalled as (None: there was nothing to do, e.g. pausing a paused exercise)."""
        before = self.archived.inputs
        self.archived.tag = tag
        try:
            self.session.apply(inp)
        except IllegalInput as exc:
            if member is not None:
                self.error(member, "illegal", "; ".join(exc.problems), fid)
            return False, None
        except ArchiveError as exc:
            if member is not None:
                self.error(member, "busy", str(exc), fid)
            return False, None
        finally:
            self.archived.tag = None
        if self.archived.inputs == before:
            return True, None
        if tag is not None:
            self.tags[tag] = before
        return True, before

    def after(self, inp: Any) -> None:
        """Fan out what an accepted input changed, and close the round if it is time."""
        s = self.session
        round_before = s.round
        if isinstance(inp, Submit):
            orders = inp.orders.model_dump(mode="json", exclude_defaults=True)
            self.send_all(Submitted(round=s.round, orders=orders), {inp.actor})
            self.presence()
            if self.auto_close and not s.waiting_for() and not s.state.paused:
                self.apply(Close(), None, None, None)
        elif isinstance(inp, Pause):
            self.clock.pause()
            self.send_all(Deadline(deadline=self.clock.info(s.round)))
        elif isinstance(inp, Resume):
            self.clock.resume()
            self.send_all(Deadline(deadline=self.clock.info(s.round)))
        if s.round != round_before or isinstance(inp, Close) or s.over:
            self.new_round()

    def new_round(self) -> None:
        s = self.session
        if s.over:
            self.clock.stop()
            if self.members.get(CONTROL):
                self.send_all(self.debrief(), {CONTROL})
        else:
            self.clock.start(s.state.paused, s.round)
        self.send_all(Deadline(deadline=self.clock.info(s.round)))
        self.presence()

    def receive_draft(self, member: Member, frame: DraftFrame) -> None:
        key = member.key
        s = self.session
        if key in (CONTROL, OBSERVER):
            self.error(member, "forbidden", "only a seat's team writes drafts", frame.id)
            return
        if frame.round != s.round:
            msg = f"round {frame.round} is not open; round {s.round} is (draft not kept)"
            self.error(member, "round_closed", msg, frame.id)
            return
        data = frame.orders.model_dump(mode="json", exclude_defaults=True)
        self.archive.save_draft(self.id, key, s.round, data)
        self.drafts[key] = (s.round, data)
        member.push(encode_ack(frame.id))
        text = encode(DraftUpdate(round=s.round, orders=data, by=member.label))
        for other in self.members.get(key, ()):
            if other is not member:
                other.push(text)

    def extend(self, member: Member, frame_id: str, minutes: float) -> None:
        s = self.session
        if s.over:
            self.error(member, "ended", "the exercise has ended", frame_id)
            return
        self.clock.extend(minutes, s.state.paused)
        self.send_all(Deadline(deadline=self.clock.info(s.round)))
        self.presence()
        member.push(encode(Ack(id=frame_id)))

    def set_on_deadline(self, member: Member, frame_id: str, then: str) -> None:
        self.on_deadline = "computer" if then == "computer" else "pass"
        self.presence()
        member.push(encode(Ack(id=frame_id)))

    def expire(self) -> None:
        """The deadline passed: close the round; unsubmitted seats pass, or, if control chose
        so, are handed to the computer for this round and back (journalled seat changes, so
        the log replays)."""
        s = self.session
        if s.over or s.state.paused:
            return
        late = [(a, s.seats[a]) for a in s.waiting_for()] if self.on_deadline == "computer" else []
        for actor, _seat in late:
            self.apply(SetSeat(actor=actor, seat="computer"), None, None, None)
        self.apply(Close(), None, None, None)
        for actor, seat in late:
            if not s.over:
                self.apply(SetSeat(actor=actor, seat=seat), None, None, None)
        self.settle()
        self.new_round()
