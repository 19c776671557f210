"""The session archive: nothing a seat has been told was accepted is ever lost.

An embedded SQLite database (stdlib ``sqlite3``, WAL, ``synchronous=FULL``) holds, per session, a
row of facts (scenario, hash, seed, seats, status), the *journal* of inputs and a copy of the event
log. The archive never reaches into the engine: it wraps a :class:`~sim.session.Session` through the
two hooks the session offers.

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

import json
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sim.authoring.problems import UserError
from sim.engine.events import Ended, Event, RoundClosed, Seat, dumps, from_dict
from sim.engine.inputs import IllegalInput, Input
from sim.engine.session import Session
from sim.engine.world import World
from sim.record.log import Log, compare, inputs_from_log

ENV_VAR = "SITROOM_ARCHIVE"
"""Environment variable naming the archive file (``--archive`` wins over it)."""
FILENAME = "archive.sqlite3"
SCHEMA_VERSION = 1
ID_CHARS = 8
Status = Literal["open", "ended"]
Loader = Callable[[str], World]

_SCHEMA = """
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    scenario      TEXT NOT NULL,
    scenario_ref  TEXT NOT NULL,
    scenario_hash TEXT NOT NULL,
    seed          INTEGER NOT NULL,
    seats         TEXT NOT NULL,           -- JSON: actor -> seat, as the session started
    header        TEXT NOT NULL,           -- JSON: the log header
    created       TEXT NOT NULL,           -- ISO 8601, UTC
    updated       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'ended')),
    outcome       TEXT,
    rounds        INTEGER NOT NULL DEFAULT 0,
    inputs        INTEGER NOT NULL DEFAULT 0,
    events        INTEGER NOT NULL DEFAULT 0,
    settled       INTEGER NOT NULL DEFAULT 1, -- 1: the events table is the journal's whole result
    meta          TEXT NOT NULL DEFAULT '{}'  -- JSON: front end, script path, import source
);
CREATE TABLE inputs (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n       INTEGER NOT NULL,
    json    TEXT NOT NULL,
    PRIMARY KEY (session, n)
) WITHOUT ROWID;
CREATE TABLE events (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    json    TEXT NOT NULL,
    PRIMARY KEY (session, seq)
) WITHOUT ROWID;
"""


class ArchiveError(UserError):
    """A problem a user can act on (unknown id, changed scenario, unreadable file): one line,
    exit code 1 wherever it surfaces."""


class UnknownSession(ArchiveError):
    """No session matches the id or prefix."""


class AmbiguousSession(ArchiveError):
    """More than one session matches the prefix."""


class ScenarioChanged(ArchiveError):
    """The scenario's content hash differs from the one the session was recorded with."""


class Diverged(ArchiveError):
    """Replaying the journal no longer reproduces what was recorded (or a log does not replay)."""


class Busy(ArchiveError):
    """Another process appended to this session's journal: two front ends are playing it."""


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One archived session as listed by ``sitroom sessions``."""

    id: str
    scenario: str
    scenario_ref: str
    scenario_hash: str
    seed: int
    seats: dict[str, Seat]
    """The seats the session started with (later changes are events in its log)."""
    header: dict[str, Any]
    created: str
    updated: str
    status: Status
    outcome: str | None
    rounds: int
    """Rounds closed so far."""
    inputs: int
    events: int
    settled: bool
    """Whether the stored events are the complete result of the stored inputs; False after a
    crash, until the session is resumed (export and report then replay the journal)."""
    meta: dict[str, Any]


def default_path() -> Path:
    """Where the archive lives unless told otherwise: ``$SITROOM_ARCHIVE`` or the user data dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sitroom")) / FILENAME


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _default_loader(ref: str) -> World:
    from sim.authoring.loader import (
        load_scenario,  # the loader reads YAML; imported only when needed
    )

    world: World = load_scenario(ref)
    return world


class Archive:
    """An open archive file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        if self.path.is_dir():
            raise ArchiveError(f"{self.path}: is a directory; give the archive file's path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE ... COMMIT.
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"{self.path}: cannot open the archive ({exc})") from None
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ArchiveError(f"{self.path}: not a sitroom archive ({exc})") from None

    def _setup(self) -> None:
        db = self.db
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsync'd at every commit, so a journaled input survives power loss too.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            with self.transaction():
                if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{self.path}: written by a newer sitroom (archive schema "
                f"{version}, this version reads {SCHEMA_VERSION})"
            )

    def close(self) -> None:
        """Close the file."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, durable write."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading -------------------------------------------------------------------------------
    def sessions(self) -> list[SessionInfo]:
        """Every session, newest first."""
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM sessions ORDER BY created DESC, id")
        return [_info(r) for r in rows]

    def find(self, ref: str) -> SessionInfo:
        """The session whose id is ``ref`` or starts with it."""
        key = ref.strip().lower()
        if not re.fullmatch(f"[0-9a-f]{{1,{ID_CHARS}}}", key):
            raise UnknownSession(
                f"'{ref}' is not a session id ({ID_CHARS} hex digits or a "
                "unique prefix; see `sitroom sessions`)"
            )
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM sessions WHERE id LIKE ? ORDER BY id LIMIT 6", (key + "%",)
        ).fetchall()
        if not rows:
            raise UnknownSession(f"no session '{ref}' in {self.path} (see `sitroom sessions`)")
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
            raise AmbiguousSession(f"'{ref}' matches several sessions ({ids}); type more of the id")
        return _info(rows[0])

    def inputs(self, sid: str) -> list[dict[str, Any]]:
        """The session's journal, in order, in its stored form (see :mod:`sim.engine.inputs`)."""
        rows = self.db.execute("SELECT json FROM inputs WHERE session = ? ORDER BY n", (sid,))
        return [json.loads(r[0]) for r in rows]

    def event_lines(self, sid: str) -> list[str]:
        """The stored events as canonical JSON lines (the bytes of the log file)."""
        rows = self.db.execute("SELECT json FROM events WHERE session = ? ORDER BY seq", (sid,))
        return [r[0] for r in rows]

    def stored_log(self, sid: str) -> Log:
        """Header and stored events, without replaying (complete only when ``settled``)."""
        info = self.find(sid)
        return Log(dict(info.header), [from_dict(json.loads(x)) for x in self.event_lines(info.id)])

    def log(self, ref: str, *, load: Loader | None = None) -> Log:
        """The session's complete log: stored events, or a replay of the journal after a crash.

        A replay also repairs the stored events (see :meth:`resume`).
        """
        info = self.find(ref)
        if info.settled:
            return self.stored_log(info.id)
        resumed = self.resume(info.id, load=load)
        resumed.close()
        return Log(resumed.session.header.to_dict(), list(resumed.session.log))

    # -- writing -------------------------------------------------------------------------------
    def create(
        self,
        world: World,
        seed: int,
        seats: dict[str, Seat] | None = None,
        *,
        scenario_ref: str | None = None,
        meta: dict[str, Any] | None = None,
        listeners: Iterable[Callable[[Event], None]] = (),
    ) -> ArchivedSession:
        """Start a new archived session (the row is committed before the session exists)."""
        probe = Session(world, seed, seats, scenario_ref=scenario_ref)
        header = probe.header.to_dict()
        now = _now()
        with self.transaction() as db:
            sid = self._new_id()
            db.execute(
                "INSERT INTO sessions (id, scenario, scenario_ref, scenario_hash, seed, "
                "seats, header, created, updated, status, meta) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (
                    sid,
                    header["scenario"],
                    header["scenario_ref"],
                    header["scenario_hash"],
                    seed,
                    dumps(header["seats"]),
                    dumps(header),
                    now,
                    now,
                    dumps(meta or {}),
                ),
            )
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
            )
        )
        archived.flush(settled=True)
        return archived

    def _new_id(self) -> str:
        while True:
            sid = secrets.token_hex(ID_CHARS // 2)
            if self.db.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone() is None:
                return sid

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
        if world.content_hash != info.scenario_hash:
            raise ScenarioChanged(
                f"session {info.id} was recorded with a different version of scenario "
                f"'{info.scenario}' ({info.scenario_ref}): content hash {info.scenario_hash}, "
                f"now {world.content_hash}; restore the original files to resume it"
            )
        session = Session(world, info.seed, info.seats, scenario_ref=info.scenario_ref)
        for n, inp in enumerate(self.inputs(info.id)):
            try:
                session.apply_input(inp, trusted=True)
            except IllegalInput as exc:
                raise Diverged(
                    f"session {info.id}: input {n} ({inp.get('op')}) no longer applies: {exc}"
                ) from None
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
        now = _now()
        closed = sum(isinstance(e, RoundClosed) for e in log.events)
        with self.transaction() as db:
            sid = self._new_id()
            stored_header = session.header.to_dict()
            db.execute(
                "INSERT INTO sessions (id, scenario, scenario_ref, scenario_hash, seed, "
                "seats, header, created, updated, status, outcome, rounds, inputs, "
                "events, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    stored_header["scenario"],
                    stored_header["scenario_ref"],
                    stored_header["scenario_hash"],
                    session.seed,
                    dumps(stored_header["seats"]),
                    dumps(stored_header),
                    now,
                    now,
                    "ended" if session.over else "open",
                    session.state.outcome,
                    closed,
                    len(journal),
                    len(lines),
                    dumps(meta or {}),
                ),
            )
            db.executemany(
                "INSERT INTO inputs VALUES (?, ?, ?)",
                [(sid, n, dumps(i.journal())) for n, i in enumerate(journal)],
            )
            db.executemany(
                "INSERT INTO events VALUES (?, ?, ?)", [(sid, n, x) for n, x in enumerate(lines)]
            )
        return self.find(sid)


_COLUMNS = (
    "id, scenario, scenario_ref, scenario_hash, seed, seats, header, created, updated, "
    "status, outcome, rounds, inputs, events, settled, meta"
)


def _info(row: tuple[Any, ...]) -> SessionInfo:
    (
        sid,
        scenario,
        ref,
        digest,
        seed,
        seats,
        header,
        created,
        updated,
        status,
        outcome,
        rounds,
        inputs,
        events,
        settled,
        meta,
    ) = row
    return SessionInfo(
        sid,
        scenario,
        ref,
        digest,
        int(seed),
        json.loads(seats),
        json.loads(header),
        created,
        updated,
        status,
        outcome,
        int(rounds),
        int(inputs),
        int(events),
        bool(settled),
        json.loads(meta),
    )


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
        try:
            with self.archive.transaction() as db:
                db.execute(
                    "INSERT INTO inputs VALUES (?, ?, ?)",
                    (self.id, self.inputs, dumps(inp.journal())),
                )
                self._write(db, settled=False, inputs=self.inputs + 1)
        except sqlite3.IntegrityError:
            raise Busy(
                f"session {self.id} is being played by another sitroom process; "
                "close it there first"
            ) from None
        self.inputs += 1

    def on_event(self, event: Event) -> None:
        """The session's listener: queue the event; write at each round's close and at the end."""
        self.pending.append(event)
        if isinstance(event, RoundClosed | Ended):
            self.flush(settled=False)

    def flush(self, *, settled: bool = True) -> None:
        """Write queued events and the session row. ``settled``: no input is half-performed."""
        with self.archive.transaction() as db:
            self._write(db, settled=settled, inputs=self.inputs)

    def _write(self, db: sqlite3.Connection, *, settled: bool, inputs: int) -> None:
        if self.pending:
            db.executemany(
                "INSERT INTO events VALUES (?, ?, ?)",
                [(self.id, e.seq, dumps(e.to_dict())) for e in self.pending],
            )
        s = self._session
        rounds = s.state.round - 1 if s is not None else 0  # rounds closed so far
        db.execute(
            "UPDATE sessions SET updated = ?, status = ?, outcome = ?, rounds = ?, "
            "inputs = ?, events = ?, settled = ? WHERE id = ?",
            (
                _now(),
                "ended" if s is not None and s.over else "open",
                s.state.outcome if s is not None else None,
                rounds,
                inputs,
                self.events + len(self.pending),
                int(settled),
                self.id,
            ),
        )
        self.events += len(self.pending)
        self.pending.clear()

    def close(self) -> None:
        """Write everything and stop recording."""
        if self._session is not None:
            self.flush(settled=True)
            self._session.recorder = None
            if self.on_event in self._session.listeners:
                self._session.listeners.remove(self.on_event)
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
) -> ArchivedSession:
    """Start an archived session in the archive at ``archive`` (default: :func:`default_path`)."""
    arch = Archive(archive)
    archived = arch.create(world, seed, seats, scenario_ref=scenario_ref, meta=meta)
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
