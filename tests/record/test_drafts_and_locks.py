"""What networked and hotseat play keep beside the journal: drafts, join-code hashes, client
input tags, and the lock that lets one process play a session at a time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sim.engine.inputs import Close
from sim.record.archive import Archive
from sim.record.store import Busy
from tests.archive_driver import SEATS, SEED, crash_world

WORLD = crash_world()


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    with Archive(tmp_path / "a.sqlite3") as arch:
        yield arch  # type: ignore[misc]


def test_drafts_codes_and_tags_survive_reopening(archive: Archive) -> None:
    """A draft, code hashes and an input's client tag are on disk once stored."""
    archived = archive.create(WORLD, SEED, SEATS)
    archive.save_draft(archived.id, "a", 1, {"moves": []})
    archive.save_draft(archived.id, "a", 1, {"answers": []})
    archive.set_codes(archived.id, {"control": "h1", "observer": "h2"})
    archive.set_codes(archived.id, {"observer": None})
    archived.tag = "client-7"
    archived.session.apply(Close())
    archived.session.apply(Close())
    archived.close()
    with Archive(archive.path) as again:
        assert again.drafts(archived.id) == {"a": (1, {"answers": []})}
        assert again.codes(archived.id) == {"control": "h1"}
        assert again.input_tags(archived.id) == {"client-7": 0}


def test_extra_tables_are_added_to_an_older_archive(tmp_path: Path) -> None:
    """An archive made before drafts existed gains the tables when opened."""
    path = tmp_path / "old.sqlite3"
    Archive(path).close()
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE drafts; DROP TABLE codes; DROP TABLE input_tags;")
    db.close()
    with Archive(path) as arch:
        assert arch.drafts("00000000") == {}


def test_a_locked_session_is_refused_naming_its_holder(archive: Archive) -> None:
    """A second lock on a session raises Busy naming the first holder, until it is released."""
    archived = archive.create(WORLD, SEED, SEATS)
    archived.lock = archive.lock(archived.id, "sitroom serve")
    with pytest.raises(Busy, match=r"sitroom serve \(pid \d+\)"):
        archive.lock(archived.id, "sitroom play")
    archived.close()
    archive.lock(archived.id, "sitroom play").release()
