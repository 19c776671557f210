"""The round clock's row, the rounds a session was started to play, and archives written before
either existed: upgraded when opened (nothing lost), or read as they are when read-only."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from sim.authoring.loader import load_scenario
from sim.record.archive import Archive
from sim.record.store import ClockRecord, Store
from tests.archive_driver import SEATS, SEED, crash_world, script
from tests.hardening.test_cli_faults import _mount_tmpfs

WORLD = crash_world()


def _played(path: Path, inputs: int) -> str:
    """A session of the crash world with its first ``inputs`` inputs, left open."""
    with Archive(path) as archive:
        archived = archive.create(WORLD, SEED, SEATS)
        for inp in script()[:inputs]:
            archived.session.apply_input(inp)
        archived.close()
        return archived.id


def _make_older(path: Path) -> None:
    """Take the archive back to what the sitroom before the clock wrote: no clocks table, no
    planned column."""
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE clocks; ALTER TABLE sessions DROP COLUMN planned;")
    db.close()


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {
            t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("inputs", "events", "drafts", "codes", "input_tags")
        }
    finally:
        db.close()


def test_the_clock_row_is_kept_and_replaced(tmp_path: Path) -> None:
    """A journalled clock reads back after reopening; a later one replaces it."""
    path = tmp_path / "a.sqlite3"
    sid = _played(path, 2)
    with Archive(path) as archive:
        assert archive.clock(sid) is None
        archive.save_clock(sid, ClockRecord(1, 0.5, 1.7e9, None, "pass"))
        archive.save_clock(sid, ClockRecord(1, 0.5, None, 12.5, "computer"))
    with Archive(path) as again:
        assert again.clock(sid) == ClockRecord(1, 0.5, None, 12.5, "computer")


def test_sessions_know_the_rounds_they_were_started_to_play(tmp_path: Path) -> None:
    """planned: the scenario's rounds, or the shorter number chosen."""
    with Archive(tmp_path / "a.sqlite3") as archive:
        full = archive.create(WORLD, SEED, SEATS)
        short = archive.create(WORLD, SEED, SEATS, rounds=3)
        planned = {i.id: i.planned for i in archive.sessions()}
        full.close()
        short.close()
    assert planned == {full.id: 8, short.id: 3}


def test_an_older_archive_is_upgraded_without_losing_anything(tmp_path: Path) -> None:
    """Opened by this sitroom, an archive without the clock table and planned column gains
    them; its sessions, journal, events and other tables are untouched and it resumes."""
    path = tmp_path / "old.sqlite3"
    sid = _played(path, 5)
    _make_older(path)
    before = _dump(path)
    with Store(path) as store:
        (info,) = store.sessions()
        assert info.id == sid and info.planned is None and info.inputs == 5
        assert store.clock(sid) is None
    assert _dump(path) == before
    db = sqlite3.connect(path)
    columns = {r[1] for r in db.execute("PRAGMA table_info(sessions)")}
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert "planned" in columns and "clocks" in tables
    with Archive(path) as archive:
        archived = archive.resume(sid, world=WORLD)
        for inp in script()[5:]:
            archived.session.apply_input(inp)
        archive.save_clock(sid, ClockRecord(2, None, None, None, "computer"))
        archived.close()
        assert archive.find(sid).status == "ended"
        assert archive.clock(sid) == ClockRecord(2, None, None, None, "computer")


def test_an_older_read_only_archive_is_read_as_it_is(tmp_path: Path) -> None:
    """On a read-only file system an older archive cannot be upgraded: it is read anyway, its
    missing column as None and no clock."""
    where = tmp_path / "ro"
    if not _mount_tmpfs(where, "size=1m"):
        pytest.skip("mounting a tmpfs needs privileges")
    try:
        path = where / "old.sqlite3"
        sid = _played(path, 3)
        _make_older(path)
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        with Store(path) as store:
            assert store.read_only
            (info,) = store.sessions()
            assert info.id == sid and info.planned is None
            assert store.find(sid[:4]).inputs == 3
            assert store.clock(sid) is None
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_sessions_shows_rounds_played_of_the_rounds_planned(tmp_path: Path) -> None:
    """`sitroom sessions`: PLAYED reads "3 of 3" for a whole mini game, "1 of 2" for a --rounds 2
    game cut off after a round, and an older archive's rows still show their total (from the
    log header or the scenario)."""
    from tests.ui.test_cli_archive import MINI, sitroom

    db = tmp_path / "a.sqlite3"
    sitroom("run", MINI, "--seed", "3", "-q", db=db)
    sitroom("run", MINI, "--seed", "4", "--rounds", "2", "-q", db=db)
    world = load_scenario(str(MINI))
    with Archive(db) as archive:
        cut = archive.create(world, 5, scenario_ref=str(MINI), rounds=2)
        cut.session.close_round()
        cut.close()

    def played() -> dict[int, str]:
        out = sitroom("sessions", db=db).stdout.splitlines()
        start = out[0].index("PLAYED")
        rows = {}
        for line in out[1:]:
            seed = int(line.split()[2])
            rows[seed] = line[start:].split("  ")[0].strip()
        return rows

    expected = {3: "3 of 3", 4: "2 of 2", 5: "1 of 2"}
    assert played() == expected
    _make_older(db)
    assert played() == expected
    listed = [json.loads(x) for x in sitroom("sessions", "--json", db=db).stdout.splitlines()]
    assert {d["seed"]: d["planned"] for d in listed} == {3: 3, 4: 2, 5: 2}
