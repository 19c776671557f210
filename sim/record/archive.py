"""The session archive: nothing a seat has been told was accepted is ever lost.

The archive keeps sessions in a :class:`~sim.record.store.Store` and never reaches into the
engine: it wraps a :class:`~sim.engine.session.Session` through the two hooks the session offers.

* ``recorder``: the session calls it with every accepted input *before* acting on it. The archive
  commits the input (fsync'd) right there, so an input acknowledged to a player is on disk; an input
  journaled but cut off by a crash is simply performed again on resume.
* ``listeners``: every event is queued and written in the next transaction (the next input, each
  round's close, the end, :meth:`ArchivedSession.close`). Events are derivable from the journal, so
  they need no fsync of their own; they exist to make export and reports fast.

Resume rebuilds the world from the stored scenario reference, refuses a scenario whose content hash
changed, replays the journal with the recorder detached, checks the replay against the events
already stored (so a changed engine cannot silently fork history) and carries on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sim.engine.events import Ended, Event, RoundClosed, Seat, dumps
from sim.engine.expr import NonFinite
from sim.engine.inputs import IllegalInput, Input
from sim.engine.session import Session
from sim.engine.world import World
from sim.record.lock import SessionLock
from sim.record.log import Log, compare, inputs_from_log
from sim.record.store import ArchiveError, SessionInfo, Store

Loader = Callable[[str], World]


class ScenarioChanged(ArchiveError):
    """The scenario's content hash differs from the one the session was recorded with."""


class Diverged(ArchiveError):
    """Replaying the journal no longer reproduces what was recorded (or a log does not replay)."""


def _default_loader(ref: str) -> World:
    from sim.authoring.loader import (
        load_scenario,  # the loader reads YAML; imported only when needed
    )

    world: World = load_scenario(ref)
    return world


def _rebuild(info: SessionInfo, world: World, journal: list[dict[str, Any]], to: str) -> Session:
    """Session ``info`` replayed from ``journal`` in memory (nothing written), refusing a
    scenario whose content changed since it was recorded (``to``: what to restore it for)."""
    if world.content_hash != info.scenario_hash:
        raise ScenarioChanged(
            f"session {info.id} was recorded with a different version of scenario "
            f"'{info.scenario}' ({info.scenario_ref}): content hash {info.scenario_hash}, "
            f"now {world.content_hash}; restore the original files to {to}"
        )
    session = Session(
        world,
        info.seed,
        info.seats,
        scenario_ref=info.scenario_ref,
        rounds=info.header.get("rounds"),
    )
    for n, inp in enumerate(journal):
        try:
            session.apply_input(inp, trusted=True)
        except IllegalInput as exc:
            raise Diverged(
                f"session {info.id}: input {n} ({inp.get('op')}) no longer applies: {exc}"
            ) from None
    return session


class Archive(Store):
    """The store, with sessions to start, resume and import. Use as a context manager, or call
    :meth:`close`."""

    def lock(self, sid: str, holder: str) -> SessionLock:
        """Take the session's lock, or raise Busy naming the process that holds it."""
        return SessionLock(self.path, sid, holder)

    def log(self, ref: str, *, load: Loader | None = None) -> Log:
        """The session's complete log: stored events, or a replay of the journal in memory.

        A reader never writes: the session may be live in another process (its events are
        written at each round's close, so it is unsettled most of the time), and a reader that
        resumed it would write its pending events and break that process's next commit.
        """
        info = self.find(ref)
        if info.settled:
            return self.stored_log(info.id)
        session = self.replayed(info, load=load)
        return Log(session.header.to_dict(), list(session.log))

    def replayed(self, info: SessionInfo, *, load: Loader | None = None) -> Session:
        """Session ``info`` rebuilt from its journal in memory, checked against the stored events
        (read in one snapshot, so a writer in another process cannot tear it), never written."""
        world = (load or _default_loader)(info.scenario_ref)
        with self.snapshot():
            journal = self.inputs(info.id)
            stored = self.event_lines(info.id)
        session = _rebuild(info, world, journal, "read it")
        replayed = [dumps(e.to_dict()) for e in session.log[: len(stored)]]
        if replayed != stored:
            raise Diverged(
                f"session {info.id}: replaying its inputs no longer reproduces its stored events "
                f"(recorded with sitroom {info.header.get('engine')}); read it with that version"
            )
        return session

    def create(
        self,
        world: World,
        seed: int,
        seats: dict[str, Seat] | None = None,
        *,
        scenario_ref: str | None = None,
        meta: dict[str, Any] | None = None,
        listeners: Iterable[Callable[[Event], None]] = (),
        rounds: int | None = None,
    ) -> ArchivedSession:
        """Start a new archived session (the row is committed before the session exists);
        ``rounds``: fewer rounds than the scenario's (see :class:`Session`)."""
        probe = Session(world, seed, seats, scenario_ref=scenario_ref, rounds=rounds)
        with self.transaction():
            sid = self.insert_session(probe.header.to_dict(), seed, meta, planned=probe.rounds)
        archived = ArchivedSession(self, sid, None)
        # The session is built only now, so the events it emits while starting (injects at
        # hour 0) reach the archive's listener.
        archived.attach(
            Session(
                world,
                seed,
                seats,
                scenario_ref=scenario_ref,
                recorder=archived.record,
                listeners=[archived.on_event, *listeners],
                rounds=rounds,
            )
        )
        archived.flush(settled=True)
        return archived

    def resume(
        self,
        ref: str,
        *,
        load: Loader | None = None,
        world: World | None = None,
        listeners: Iterable[Callable[[Event], None]] = (),
    ) -> ArchivedSession:
        """Rebuild a session from its journal and keep recording it.

        ``world`` skips the loader (tests, or a front end that already has it); otherwise the
        scenario is loaded from the stored reference with ``load`` (default: the YAML loader).
        """
        info = self.find(ref)
        if world is None:
            world = (load or _default_loader)(info.scenario_ref)
        session = _rebuild(info, world, self.inputs(info.id), "resume it")
        stored = self.event_lines(info.id)
        replayed = [dumps(e.to_dict()) for e in session.log]
        if replayed[: len(stored)] != stored:
            first = next(
                i
                for i, (a, b) in enumerate(zip(stored, replayed + [""] * len(stored), strict=False))
                if a != b
            )
            raise Diverged(
                f"session {info.id}: replaying its inputs no longer reproduces event "
                f"{first} (recorded with sitroom {info.header.get('engine')}); "
                "export it with a matching version"
            )
        archived = ArchivedSession(self, info.id, session, inputs=info.inputs, events=len(stored))
        archived.pending.extend(session.log[len(stored) :])
        archived.flush(settled=True)
        # Recording starts only now: the replay itself must not be journaled again.
        session.recorder = archived.record
        session.listeners.extend([archived.on_event, *listeners])
        return archived

    def import_log(
        self, log: Log, world: World, *, meta: dict[str, Any] | None = None
    ) -> SessionInfo:
        """Verify that ``log`` replays exactly, then store it as a finished or open session."""
        header = log.header
        if header.get("redacted_for"):
            raise ArchiveError(
                f"this log is redacted for {header['redacted_for']} and cannot "
                "be replayed; import the full log"
            )
        if world.content_hash != header["scenario_hash"]:
            raise ScenarioChanged(
                f"the log was recorded with a different version of scenario "
                f"'{header['scenario']}' (content hash "
                f"{header['scenario_hash']}, now {world.content_hash})"
            )
        journal: list[Input] = []
        session = Session(
            world,
            int(header["seed"]),
            header["seats"],
            scenario_ref=header.get("scenario_ref"),
            recorder=journal.append,
            rounds=header.get("rounds"),
        )
        try:
            for inp in inputs_from_log(log):
                session.apply(inp, trusted=True)
                if session.over:
                    break
        except IllegalInput as exc:
            raise Diverged(f"the log does not replay: {exc}") from None
        divergence = compare(log.events, session.log)
        if divergence is not None:
            raise Diverged(f"the log does not replay exactly: {divergence.describe()}")
        lines = [dumps(e.to_dict()) for e in log.events]
        for other in self.sessions():
            if (
                other.scenario_hash == header["scenario_hash"]
                and other.seed == header["seed"]
                and other.settled
                and self.event_lines(other.id) == lines
            ):
                raise ArchiveError(f"this log is already in the archive as session {other.id}")
        with self.transaction():
            sid = self.insert_session(
                session.header.to_dict(),
                session.seed,
                meta,
                status="ended" if session.over else "open",
                outcome=session.state.outcome,
                rounds=sum(isinstance(e, RoundClosed) for e in log.events),
                inputs=len(journal),
                events=len(lines),
                planned=session.rounds,
            )
            self.append_inputs(sid, 0, journal)
            self.append_events(sid, log.events)
        return self.find(sid)


class ArchivedSession:
    """A :class:`Session` whose inputs and events go to the archive as they happen.

    Front ends play ``archived.session`` through the ordinary session API and call :meth:`close`
    when done (a context manager does it). Nothing else changes for them.
    """

    def __init__(
        self,
        archive: Archive,
        sid: str,
        session: Session | None,
        *,
        inputs: int = 0,
        events: int = 0,
        owns_archive: bool = False,
    ) -> None:
        self.archive = archive
        self.id = sid
        self._session = session
        self.inputs = inputs
        """Inputs journaled so far (the next one is number ``inputs``)."""
        self.events = events
        """Events written so far."""
        self.pending: list[Event] = []
        self.owns_archive = owns_archive
        self.tag: str | None = None
        """Set just before an input: the client input id journalled with it (then cleared)."""
        self.lock: SessionLock | None = None
        """Held while one process plays the session (released by :meth:`close`)."""

    @property
    def session(self) -> Session:
        """The live session."""
        assert self._session is not None, "the session is attached right after creation"
        return self._session

    def attach(self, session: Session) -> None:
        """Adopt the session created with this object's recorder and listener."""
        self._session = session

    def record(self, inp: Input) -> None:
        """The session's recorder: commit the input (and queued events) before it takes effect."""
        tag, self.tag = self.tag, None
        with self.archive.journaling(self.id):
            self.archive.append_inputs(self.id, self.inputs, [inp])
            if tag is not None:
                self.archive.tag_input(self.id, self.inputs, tag)
            self._write(settled=False, inputs=self.inputs + 1)
        self.inputs += 1

    def on_event(self, event: Event) -> None:
        """The session's listener: queue the event; write at each round's close and at the end."""
        self.pending.append(event)
        if isinstance(event, RoundClosed | Ended):
            self.flush(settled=False)

    def flush(self, *, settled: bool = True) -> None:
        """Write queued events and the session row. ``settled``: no input is half-performed."""
        with self.archive.transaction():
            self._write(settled=settled, inputs=self.inputs)

    def _write(self, *, settled: bool, inputs: int) -> None:
        self.archive.append_events(self.id, self.pending)
        s = self._session
        self.archive.update_session(
            self.id,
            status="ended" if s is not None and s.over else "open",
            outcome=s.state.outcome if s is not None else None,
            rounds=s.state.round - 1 if s is not None else 0,  # rounds closed so far
            inputs=inputs,
            events=self.events + len(self.pending),
            settled=settled,
        )
        self.events += len(self.pending)
        self.pending.clear()

    def close(self) -> None:
        """Write everything and stop recording."""
        if self._session is not None:
            if isinstance(sys.exc_info()[1], NonFinite):
                # Closing while the engine stops on a scenario's arithmetic mid-input: the half
                # performed input's events are not written, the row stays unsettled, and readers
                # replay the journal to the same clean error (a log never holds half a round).
                self.pending.clear()
            else:
                self.flush(settled=True)
            self._session.recorder = None
            if self.on_event in self._session.listeners:
                self._session.listeners.remove(self.on_event)
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        if self.owns_archive:
            self.archive.close()

    def __enter__(self) -> ArchivedSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(
    world: World,
    seed: int,
    seats: dict[str, Seat] | None = None,
    *,
    scenario_ref: str | None = None,
    archive: str | Path | None = None,
    meta: dict[str, Any] | None = None,
    rounds: int | None = None,
) -> ArchivedSession:
    """Start an archived session in the archive file ``archive`` (default: ``default_path()``)."""
    arch = Archive(archive)
    archived = arch.create(world, seed, seats, scenario_ref=scenario_ref, meta=meta, rounds=rounds)
    archived.owns_archive = True
    return archived


def resume(
    ref: str,
    *,
    archive: str | Path | None = None,
    load: Loader | None = None,
    world: World | None = None,
) -> ArchivedSession:
    """Resume session ``ref`` (an id or unique prefix) from the archive at ``archive``."""
    arch = Archive(archive)
    try:
        archived = arch.resume(ref, load=load, world=world)
    except BaseException:
        arch.close()
        raise
    archived.owns_archive = True
    return archived
