"""Readers of a live session never write to it: `report` and `export` of a session another process
is playing read what is settled (or replay the journal in memory), and the player goes on and
closes cleanly. Real processes and a real archive file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys
from sim.authoring.loader import load_scenario
from sim.record.archive import Archive

world = load_scenario("korea-instability-2012")
archive = Archive(sys.argv[1])
live = archive.create(world, 5, scenario_ref="korea-instability-2012")
live.lock = archive.lock(live.id, "test holder")
live.session.close_round()
live.session.inject("Eyes only", "a private word", ["china"])
print(live.id, flush=True)
sys.stdin.readline()  # held here, unsettled, while the readers run
while not live.session.over:
    live.session.close_round()
live.close()
archive.close()
print("closed", flush=True)
"""


def sitroom(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_report_and_export_during_a_live_session(tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite3"
    env = {**os.environ, "SITROOM_ARCHIVE": str(archive)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(archive)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        sid = holder.stdout.readline().strip()
        assert len(sid) == 8, holder.stderr.read() if holder.stderr else ""
        before = _rows(archive, sid)
        for args in (
            ("report", sid),
            ("report", sid, "--as", "china"),
            ("export", sid),
            ("export", sid, "--as", "us"),
        ):
            result = sitroom(*args, env=env)
            assert result.returncode == 0, (args, result.stderr)
        exported = sitroom("export", sid, env=env).stdout.splitlines()
        assert "a private word" in "\n".join(exported)  # the live round's inject, replayed
        assert _rows(archive, sid) == before, "a reader wrote to the live session"
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, err = holder.communicate(timeout=120)
        assert holder.returncode == 0, err
        assert out.strip() == "closed"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    final = sitroom("export", sid, "--out", str(tmp_path / "final.jsonl"), env=env)
    assert final.returncode == 0, final.stderr
    verified = sitroom("replay", str(tmp_path / "final.jsonl"), "--verify", env=env)
    assert verified.returncode == 0, verified.stderr
    # The complete log begins with what the readers saw while it was live.
    assert (tmp_path / "final.jsonl").read_text().splitlines()[: len(exported)] == exported


def _rows(archive: Path, sid: str) -> tuple[int, int, str]:
    import sqlite3

    with sqlite3.connect(archive) as db:
        events = db.execute("SELECT count(*) FROM events WHERE session = ?", (sid,)).fetchone()
        inputs = db.execute("SELECT count(*) FROM inputs WHERE session = ?", (sid,)).fetchone()
        row = db.execute("SELECT updated FROM sessions WHERE id = ?", (sid,)).fetchone()
    return events[0], inputs[0], row[0]
