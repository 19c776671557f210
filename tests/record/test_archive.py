"""The session archive: journal before effect, resume, ids, changed scenarios, import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sim.engine.session import Input, Session
from sim.record.archive import Archive, Diverged, ScenarioChanged, open_session, resume
from sim.record.export import redact_log
from sim.record.log import Log, lines
from sim.record.store import AmbiguousSession, ArchiveError, Busy, UnknownSession, default_path
from tests.archive_driver import SEATS, SEED, crash_world, plain, script
from tests.worlds import world

WORLD = crash_world()


def text(header: dict[str, object], events: list[object]) -> str:
    return "\n".join(lines(header, events))  # type: ignore[arg-type]


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    with Archive(tmp_path / "a.sqlite3") as arch:
        yield arch  # type: ignore[misc]


def play(archive: Archive, inputs: list[Input]) -> str:
    archived = archive.create(WORLD, SEED, SEATS)
    for inp in inputs:
        archived.session.apply_input(inp)
    archived.close()
    return archived.id


def test_archived_run_matches_plain_run(archive: Archive) -> None:
    """An archived session's stored log is byte-identical to the same run without an archive."""
    sid = play(archive, script())
    ref = plain()
    log = archive.log(sid)
    assert text(log.header, log.events) == text(ref.header.to_dict(), ref.log)
    info = archive.find(sid)
    assert (info.status, info.outcome, info.rounds, info.settled) == ("ended", "done", 8, True)
    assert archive.inputs(sid) == script()


def test_input_is_committed_before_it_takes_effect(archive: Archive, tmp_path: Path) -> None:
    """When the recorder returns, another connection sees the input, and the session has not
    acted on it yet."""
    archived = archive.create(WORLD, SEED, SEATS)
    session = archived.session
    seen: list[tuple[int, int]] = []

    def spy(inp: Input) -> None:
        before = len(session.log)
        archived.record(inp)
        other = sqlite3.connect(archive.path)
        count = other.execute("SELECT count(*) FROM inputs").fetchone()[0]
        other.close()
        seen.append((count, len(session.log) - before))

    session.recorder = spy
    session.inject("News", "x")
    session.close_round()
    assert seen == [(1, 0), (2, 0)]


def test_resume_continues_to_the_same_log(archive: Archive) -> None:
    """Stopping half-way and resuming (from a prefix of the id) ends in the same log."""
    inputs = script()
    archived = archive.create(WORLD, SEED, SEATS)
    for inp in inputs[:13]:
        archived.session.apply_input(inp)
    # No close(): as if the process died; events since the last commit are lost.
    archived.pending.clear()
    again = archive.resume(archived.id[:5], world=WORLD)
    assert again.inputs == 13
    for inp in inputs[13:]:
        again.session.apply_input(inp)
    again.close()
    ref = plain()
    log = archive.log(archived.id)
    assert text(log.header, log.events) == text(ref.header.to_dict(), ref.log)


def test_unsettled_log_is_replayed_not_written(archive: Archive) -> None:
    """After a crash mid-input (or while another process plays it) the stored events are
    incomplete: log() replays the journal in memory and writes nothing (a reader must not)."""
    archived = archive.create(WORLD, SEED, SEATS)
    for inp in script()[:6]:
        archived.session.apply_input(inp)
    full = list(archived.session.log)
    archived.pending.clear()
    assert not archive.find(archived.id).settled
    log = archive.log(archived.id, load=lambda ref: WORLD)
    assert [e.to_dict() for e in log.events] == [e.to_dict() for e in full]
    assert not archive.find(archived.id).settled
    assert len(archive.event_lines(archived.id)) < len(full)


def test_ids_prefixes_and_errors(archive: Archive) -> None:
    """Unknown, malformed and ambiguous ids are one-line errors naming what to do."""
    ids = [archive.create(WORLD, s, SEATS).id for s in range(40)]
    assert archive.find(ids[0].upper()).id == ids[0]
    with pytest.raises(UnknownSession, match="not a session id"):
        archive.find("xyz!")
    with pytest.raises(UnknownSession, match="no session"):
        archive.find("0" * 8 if "0" * 8 not in ids else "f" * 8)
    first = {i[0] for i in ids}
    shared = next(c for c in "0123456789abcdef" if sum(i[0] == c for i in ids) > 1)
    assert shared in first
    with pytest.raises(AmbiguousSession, match="several sessions"):
        archive.find(shared)


def test_changed_scenario_is_refused(archive: Archive) -> None:
    """Resuming against a scenario whose content changed says so instead of forking history."""
    sid = play(archive, script()[:4])
    changed = world({"clock": {"start": "day 1", "round_hours": 6, "rounds": 9}})
    with pytest.raises(ScenarioChanged, match="different version of scenario 'mini'"):
        archive.resume(sid, world=changed)


def test_tampered_history_is_detected(archive: Archive) -> None:
    """If replaying the journal no longer reproduces the stored events, resume refuses."""
    sid = play(archive, script()[:8])
    with archive.transaction() as db:
        db.execute(
            "UPDATE events SET json = replace(json, '\"t\":0.0', '\"t\":1.0') "
            "WHERE session = ? AND seq = 0",
            (sid,),
        )
    with pytest.raises(Diverged, match="event 0"):
        archive.resume(sid, world=WORLD)


def test_two_players_of_one_session_are_refused(archive: Archive) -> None:
    """A second process playing the same session cannot interleave its journal."""
    sid = play(archive, script()[:3])
    first = archive.resume(sid, world=WORLD)
    second = archive.resume(sid, world=WORLD)
    first.session.apply_input(script()[3])
    with pytest.raises(Busy, match="another sitroom process"):
        second.session.apply_input(script()[3])


def test_not_an_archive(tmp_path: Path) -> None:
    """A file that is not an SQLite database is a clear error, not a traceback."""
    bad = tmp_path / "notes.txt"
    bad.write_text("hello " * 200)
    with pytest.raises(ArchiveError, match="not a sitroom archive"):
        Archive(bad)
    with pytest.raises(ArchiveError, match="is a directory"):
        Archive(tmp_path)


def test_default_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """$SITROOM_ARCHIVE chooses the file; otherwise it lives in the user data dir."""
    monkeypatch.setenv("SITROOM_ARCHIVE", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"
    monkeypatch.delenv("SITROOM_ARCHIVE")
    assert default_path().name == "archive.sqlite3"
    assert "sitroom" in str(default_path())


def test_module_helpers_own_their_archive(tmp_path: Path) -> None:
    """open_session/resume open and close the archive file with the session."""
    path = tmp_path / "h.db"
    with open_session(WORLD, SEED, SEATS, archive=path) as archived:
        archived.session.apply_input(script()[0])
        sid = archived.id
    with resume(sid, archive=path, world=WORLD) as again:
        assert again.inputs == 1
        assert again.session.submitted("a") is not None


def test_import_verifies_and_stores(archive: Archive) -> None:
    """An imported log is replayed first; stored, it exports byte for byte."""
    ref = plain()
    log = Log(ref.header.to_dict(), list(ref.log))
    info = archive.import_log(log, WORLD)
    assert (info.status, info.rounds, info.settled) == ("ended", 8, True)
    stored = archive.log(info.id)
    assert text(stored.header, stored.events) == text(log.header, log.events)
    again = archive.resume(info.id, world=WORLD)
    assert again.session.log[-1].to_dict() == ref.log[-1].to_dict()
    with pytest.raises(ArchiveError, match="already in the archive"):
        archive.import_log(log, WORLD)


def test_import_refuses_bad_logs(archive: Archive) -> None:
    """Logs that do not replay, redacted logs and logs of another scenario are refused."""
    ref = plain()
    log = Log(ref.header.to_dict(), list(ref.log))
    with pytest.raises(Diverged, match="does not replay"):
        archive.import_log(Log(log.header, log.events[:-3]), WORLD)
    with pytest.raises(ArchiveError, match="redacted for a"):
        archive.import_log(redact_log(log, "a", WORLD), WORLD)
    with pytest.raises(ScenarioChanged):
        archive.import_log(log, world())
    assert archive.sessions() == []


def test_sessions_listing(archive: Archive) -> None:
    """The list shows every session, newest first, with its progress."""
    one = play(archive, script()[:4])
    two = play(archive, script())
    listed = {i.id: i for i in archive.sessions()}
    assert listed[one].rounds == 1 and listed[one].status == "open"
    assert listed[two].status == "ended" and listed[two].outcome == "done"
    assert listed[one].seats == {"a": "human", "b": "human", "c": "computer"}


def test_session_module_does_no_storage() -> None:
    """The archive works through recorder and listeners: sim.engine.session imports no storage."""
    import ast
    import inspect

    import sim.engine.session

    tree = ast.parse(inspect.getsource(sim.engine.session))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not imported & {
        "sqlite3",
        "sim.record.archive",
        "sim.record.store",
        "os",
        "pathlib",
        "io",
    }
    assert Session(WORLD, SEED, SEATS).recorder is None
