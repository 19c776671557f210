"""The archive's SQLite file: schema, session rows, the journal of inputs and the stored events.

An embedded database (stdlib ``sqlite3``, WAL, ``synchronous=FULL``) holds, per session, a row of
facts (scenario, hash, seed, seats, status), the *journal* of inputs and a copy of the event log.
Every statement the archive runs is here; :mod:`sim.record.archive` decides when to run them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import quote

from sim.authoring.problems import UserError
from sim.engine.events import Event, Seat, dumps, from_dict
from sim.engine.inputs import Input
from sim.record.log import Log

ENV_VAR = "SITROOM_ARCHIVE"
"""Environment variable naming the archive file (``--archive`` wins over it)."""
FILENAME = "archive.sqlite3"
SCHEMA_VERSION = 1
ID_CHARS = 8
Status = Literal["open", "ended"]

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


# Added beside schema 1 without bumping it: an older sitroom ignores these tables and still reads
# the archive. Drafts are orders being written (networked and hotseat play keep them so a crashed
# client loses nothing); codes are the sha256 of a served exercise's join codes; input tags name
# the client input an input came from, so a resend after a crash is recognised as a duplicate.
_EXTRA = """
CREATE TABLE IF NOT EXISTS drafts (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seat    TEXT NOT NULL,
    round   INTEGER NOT NULL,
    json    TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (session, seat)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS codes (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    hash    TEXT NOT NULL,
    PRIMARY KEY (session, role)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS input_tags (
    session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n       INTEGER NOT NULL,
    tag     TEXT NOT NULL,
    PRIMARY KEY (session, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS clocks (
    session     TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    round       INTEGER NOT NULL,      -- the round the deadline below belongs to
    minutes     REAL,                  -- round length for rounds opened from now on (NULL: none)
    ends_at     REAL,                  -- running: the deadline, Unix seconds (wall time)
    remaining   REAL,                  -- held (paused): seconds left
    on_deadline TEXT NOT NULL CHECK (on_deadline IN ('pass', 'computer')),
    updated     TEXT NOT NULL
) WITHOUT ROWID;
"""
_EXTRA_TABLES = frozenset(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _EXTRA))
"""An archive that lacks one of these is upgraded when opened."""

_ADDED_COLUMNS = {"planned": "INTEGER"}
"""Columns added to ``sessions`` after schema 1 (nullable, so older rows stay valid, and an
older sitroom, which names its columns, still reads and writes the table). ``planned``: the
rounds the session was started to play (NULL in rows written before it existed)."""


class ArchiveError(UserError):
    """A problem a user can act on (unknown id, changed scenario, unreadable file): one line,
    exit code 1 wherever it surfaces."""


class UnknownSession(ArchiveError):
    """No session matches the id or prefix."""


class AmbiguousSession(ArchiveError):
    """More than one session matches the prefix."""


class Busy(ArchiveError):
    """Another process appended to this session's journal: two front ends are playing it."""


@dataclass(frozen=True, slots=True)
class ClockRecord:
    """A served session's round clock as journalled (see ``ui.net.exercise.Clock``)."""

    round: int
    """The round the deadline belongs to (a row of an earlier round is a spent deadline)."""
    minutes: float | None
    """Length of the rounds that open from now on; None: they have no deadline."""
    ends_at: float | None
    """While the clock runs: the deadline as a wall time (Unix seconds), so a server started
    again later knows how much is left, or that it passed while it was down."""
    remaining: float | None
    """While the clock is held (the exercise paused): the seconds left."""
    on_deadline: Literal["pass", "computer"]
    """What becomes of seats that have not submitted at the deadline."""


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
    planned: int | None = None
    """Rounds the session was started to play (the scenario's, or a shorter ``--rounds``);
    None for a session archived before sitroom kept it (its log header may still say it)."""


BUSY_SECONDS = 5.0
"""How long a write waits for another process's transaction before giving up with a message
(the archive's own transactions last milliseconds; a longer lock is someone else's tool)."""


def _operational(exc: sqlite3.OperationalError) -> str:
    """A one-line reason for SQLite's run-time refusals."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return (
            f"the archive is locked by another program (waited {BUSY_SECONDS:g} s); "
            "close it, or give another --archive path"
        )
    if "readonly" in text or "read-only" in text:
        return "the archive is read-only here; make it writable or give another --archive path"
    if "unable to open" in text:
        return "cannot open the archive file (check the folder's permissions)"
    return f"cannot use the archive ({text})"


def default_path() -> Path:
    """Where the archive lives unless told otherwise: ``$SITROOM_ARCHIVE`` or the user data dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("sitroom")) / FILENAME


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open archive file. Use as a context manager, or call :meth:`close`.

    Writes take the connection as it is: callers group them in :meth:`transaction`.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.read_only = False
        """Opened for reading only (the file or its file system cannot be written)."""
        if self.path.is_dir():
            raise ArchiveError(f"{self.path}: is a directory; give the archive file's path")
        if self.path.exists() and not self.path.is_file():
            raise ArchiveError(f"{self.path}: is not a regular file; give the archive file's path")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE ... COMMIT.
            # check_same_thread off: the game server commits a batch from a worker thread so
            # that its event loop runs on during the fsync; it never uses the connection from
            # two threads at once.
            self.db = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_SECONDS, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"{self.path}: cannot open the archive ({exc})") from None
        try:
            self._setup()
        except ArchiveError:
            self.db.close()
            raise
        except sqlite3.OperationalError as exc:
            self.db.close()
            if not (self.path.is_file() and not os.access(self.path, os.W_OK)):
                raise ArchiveError(f"{self.path}: {_operational(exc)}") from None
            self._open_read_only()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ArchiveError(f"{self.path}: not a sitroom archive ({exc})") from None

    def _open_read_only(self) -> None:
        """A file (or file system) that cannot be written: open it immutable, for reading.

        WAL needs to write its index even to read, so a read-only archive is opened as an
        immutable file; nobody can be writing it, since nobody can write it at all.
        """
        uri = f"file:{quote(str(self.path.resolve()))}?immutable=1"
        try:
            self.db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self.read_only = True
            self._setup()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise ArchiveError(f"{self.path}: not a sitroom archive ({exc})") from None

    def _setup(self) -> None:
        db = self.db
        if self.read_only:
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                raise ArchiveError(f"{self.path}: read-only, and not a sitroom archive")
            # An older archive that cannot be upgraded here: its missing columns read as NULL.
            self._columns = _select(self._session_columns())
            return
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is fsync'd at every commit, so a journaled input survives power loss too.
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # Someone else's database: adding our tables to it would change their file.
            raise ArchiveError(
                f"{self.path}: an SQLite database, but not a sitroom archive; "
                "give another --archive path"
            )
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
        if self._missing():
            with self.transaction():
                for statement in _EXTRA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                have = self._session_columns()
                for name, kind in _ADDED_COLUMNS.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE sessions ADD COLUMN {name} {kind}")
        self._columns = _select(set(_ADDED_COLUMNS))

    def _session_columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(sessions)")}

    def _missing(self) -> bool:
        """Whether the archive lacks a table or column added after schema 1 (checked without a
        write lock, so opening an up-to-date archive never waits for a writer)."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        return not (tables >= _EXTRA_TABLES and self._session_columns() >= set(_ADDED_COLUMNS))

    def close(self) -> None:
        """Close the file."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic, durable write. Inside another transaction it joins that one, so a
        caller can group many writes under one commit (the game server commits a batch of
        inputs with one fsync before acknowledging any of them)."""
        if self.db.in_transaction:
            yield self.db
            return
        if self.read_only:
            raise ArchiveError(
                f"{self.path}: the archive is read-only here; make it writable or give "
                "another --archive path"
            )
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"{self.path}: {_operational(exc)}") from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see one consistent state while another process writes (a read
        transaction: WAL gives it a snapshot and takes no write lock)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    @contextmanager
    def journaling(self, sid: str) -> Iterator[None]:
        """A transaction that adds to ``sid``'s journal; a clash means another process does too."""
        try:
            with self.transaction():
                yield
        except sqlite3.IntegrityError:
            raise Busy(
                f"session {sid} is being played by another sitroom process; close it there first"
            ) from None

    # -- reading -------------------------------------------------------------------------------
    def sessions(self) -> list[SessionInfo]:
        """Every session, newest first."""
        rows = self.db.execute(f"SELECT {self._columns} FROM sessions ORDER BY created DESC, id")
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
            f"SELECT {self._columns} FROM sessions WHERE id LIKE ? ORDER BY id LIMIT 6",
            (key + "%",),
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

    def drafts(self, sid: str) -> dict[str, tuple[int, dict[str, Any]]]:
        """Each seat's latest draft: seat -> (round, orders in their JSON form)."""
        rows = self.db.execute("SELECT seat, round, json FROM drafts WHERE session = ?", (sid,))
        return {seat: (int(r), json.loads(j)) for seat, r, j in rows}

    def codes(self, sid: str) -> dict[str, str]:
        """The hashes of a served session's join codes: role -> sha256 hex."""
        rows = self.db.execute("SELECT role, hash FROM codes WHERE session = ?", (sid,))
        return dict(rows.fetchall())

    def input_tags(self, sid: str) -> dict[str, int]:
        """Client input ids of journalled inputs: tag -> input number."""
        rows = self.db.execute("SELECT tag, n FROM input_tags WHERE session = ?", (sid,))
        return {t: int(n) for t, n in rows}

    def clock(self, sid: str) -> ClockRecord | None:
        """The served session's round clock as last journalled (None: never served with one,
        or an older archive opened read-only)."""
        try:
            row = self.db.execute(
                "SELECT round, minutes, ends_at, remaining, on_deadline FROM clocks "
                "WHERE session = ?",
                (sid,),
            ).fetchone()
        except sqlite3.OperationalError:  # no such table: read-only, never upgraded
            return None
        if row is None:
            return None
        round, minutes, ends_at, remaining, then = row
        return ClockRecord(
            int(round), minutes, ends_at, remaining, "computer" if then == "computer" else "pass"
        )

    def save_clock(self, sid: str, clock: ClockRecord) -> None:
        """Journal the round clock (replacing the one before), durably: inside the server's
        batch, with the inputs it commits before acknowledging any of them."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO clocks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sid,
                    clock.round,
                    clock.minutes,
                    clock.ends_at,
                    clock.remaining,
                    clock.on_deadline,
                    _now(),
                ),
            )

    def save_draft(self, sid: str, seat: str, round: int, orders: dict[str, Any]) -> None:
        """Keep ``seat``'s draft (replacing the one before), durably."""
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?)",
                (sid, seat, round, dumps(orders), _now()),
            )

    def set_codes(self, sid: str, hashes: dict[str, str | None]) -> None:
        """Store join-code hashes by role; None revokes that role's code."""
        with self.transaction():
            for role, digest in hashes.items():
                self.db.execute("DELETE FROM codes WHERE session = ? AND role = ?", (sid, role))
                if digest is not None:
                    self.db.execute("INSERT INTO codes VALUES (?, ?, ?)", (sid, role, digest))

    # -- writing (inside a transaction) --------------------------------------------------------
    def insert_session(
        self,
        header: dict[str, Any],
        seed: int,
        meta: dict[str, Any] | None,
        *,
        status: Status = "open",
        outcome: str | None = None,
        rounds: int = 0,
        inputs: int = 0,
        events: int = 0,
        planned: int | None = None,
    ) -> str:
        """Add a session row under a new id, and return the id (``planned``: the rounds it is
        to play, for ``sitroom sessions``)."""
        if not -(2**63) <= seed < 2**63:
            raise ArchiveError(f"seed {seed} is out of range (a 64-bit whole number)")
        sid = self._new_id()
        now = _now()
        self.db.execute(
            "INSERT INTO sessions (id, scenario, scenario_ref, scenario_hash, seed, "
            "seats, header, created, updated, status, outcome, rounds, inputs, "
            "events, meta, planned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                status,
                outcome,
                rounds,
                inputs,
                events,
                dumps(meta or {}),
                planned,
            ),
        )
        return sid

    def _new_id(self) -> str:
        while True:
            sid = secrets.token_hex(ID_CHARS // 2)
            if self.db.execute("SELECT 1 FROM sessions WHERE id = ?", (sid,)).fetchone() is None:
                return sid

    def append_inputs(self, sid: str, first: int, inputs: Sequence[Input]) -> None:
        """Journal ``inputs`` as numbers ``first``, ``first + 1``, ..."""
        self.db.executemany(
            "INSERT INTO inputs VALUES (?, ?, ?)",
            [(sid, first + n, dumps(inp.journal())) for n, inp in enumerate(inputs)],
        )

    def append_events(self, sid: str, events: Sequence[Event]) -> None:
        """Store events (their ``seq`` numbers them)."""
        self.db.executemany(
            "INSERT INTO events VALUES (?, ?, ?)",
            [(sid, e.seq, dumps(e.to_dict())) for e in events],
        )

    def tag_input(self, sid: str, n: int, tag: str) -> None:
        """Name the client input that journalled input ``n`` came from."""
        self.db.execute("INSERT INTO input_tags VALUES (?, ?, ?)", (sid, n, tag))

    def update_session(
        self,
        sid: str,
        *,
        status: Status,
        outcome: str | None,
        rounds: int,
        inputs: int,
        events: int,
        settled: bool,
    ) -> None:
        """Record a session's progress in its row."""
        self.db.execute(
            "UPDATE sessions SET updated = ?, status = ?, outcome = ?, rounds = ?, "
            "inputs = ?, events = ?, settled = ? WHERE id = ?",
            (_now(), status, outcome, rounds, inputs, events, int(settled), sid),
        )


_COLUMNS = (
    "id, scenario, scenario_ref, scenario_hash, seed, seats, header, created, updated, "
    "status, outcome, rounds, inputs, events, settled, meta"
)
"""The columns of schema 1, as :func:`_info` reads them (then those of ``_ADDED_COLUMNS``)."""


def _select(have: set[str]) -> str:
    """The columns to read: an added column the file lacks (a read-only older archive,
    which cannot be upgraded) reads as NULL."""
    return _COLUMNS + "".join(f", {c}" if c in have else f", NULL AS {c}" for c in _ADDED_COLUMNS)


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
        planned,
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
        None if planned is None else int(planned),
    )
