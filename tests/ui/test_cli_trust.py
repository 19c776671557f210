"""`sitroom sessions` statuses and `sitroom replay` on a truncated log, through a real process."""

from __future__ import annotations

from pathlib import Path

from sim.authoring.loader import load_scenario
from sim.record.archive import Archive
from sim.record.lock import SessionLock
from tests.ui.test_cli_archive import MINI, sitroom


def table(db: Path) -> dict[str, str]:
    """Session id to its line of `sitroom sessions`."""
    out = sitroom("sessions", db=db).stdout.splitlines()
    assert out[0].split()[:6] == ["ID", "SCENARIO", "SEED", "SEATS", "PLAYED", "STATUS"]
    return {line.split()[0]: line for line in out[1:]}


def test_sessions_says_live_paused_interrupted_and_ended(tmp_path: Path) -> None:
    """One session of each status: played now (its lock held), quit cleanly mid-way, cut off
    without saving, and ended (with its outcome's title)."""
    db = tmp_path / "a.sqlite3"
    world = load_scenario(str(MINI))
    ids = {}
    with Archive(db) as archive:
        for status in ("live", "paused", "interrupted"):
            archived = archive.create(world, 5, scenario_ref=str(MINI))
            archived.session.close_round()
            if status == "interrupted":
                archived.pending.clear()  # the process died before writing its last events
            else:
                archived.flush()
            ids[status] = archived.id
    sitroom("run", MINI, "--seed", "3", "-q", db=db)
    lock = SessionLock(db, ids["live"], "a test")
    try:
        lines = table(db)
    finally:
        lock.release()
    for status, sid in ids.items():
        assert f" {status} " in lines[sid]
    (ended,) = [line for sid, line in lines.items() if sid not in ids.values()]
    assert " ended " in ended
    assert " paused " in table(db)[ids["live"]]  # released: no longer live
    assert "PLAYED is the number of rounds closed" in sitroom("sessions", "--help", db=db).stdout


def test_replay_names_a_truncated_log_and_its_line(tmp_path: Path) -> None:
    """A log cut short (whole lines or mid-line) is reported as truncated at its last line,
    not as a divergence; the whole log still verifies."""
    db, log = tmp_path / "a.sqlite3", tmp_path / "run.jsonl"
    sitroom("run", MINI, "--seed", "3", "--out", log, "-q", "--no-archive", db=db)
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    proc = sitroom("replay", cut, "--verify", db=db, code=1)
    assert f"truncated at line {len(lines) // 2}" in proc.stderr
    assert "does NOT match" not in proc.stderr
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(lines[:10]) + lines[10][:15], encoding="utf-8")
    proc = sitroom("replay", partial, "--verify", db=db, code=1)
    assert "truncated at line 11: its last line is cut off" in proc.stderr
    sitroom("replay", log, "--verify", db=db)
