"""Crash safety: SIGKILL a front end at random moments, resume, and lose nothing.

The driver (tests/archive_driver.py) plays a fixed input sequence through an archived session and
prints ``ack N`` the moment the recorder returns for input N. We kill it many times at random
points (during start-up, resume replay, between journal commit and effect, mid-round), resume each
time, and at the end require (1) every acknowledged input to be in the journal, as sent, and (2) the
final log to be byte-identical to an uninterrupted run without any archive.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sim.archive import Archive
from sim.log import lines
from tests.archive_driver import plain, script

ROOT = Path(__file__).resolve().parents[1]
KILLS = (15, 25)
SLOW = "0.03"


def start(db: Path, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, SITROOM_TEST_SLOW=SLOW, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tests.archive_driver", str(db), str(out)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def acked(stdout: str) -> list[int]:
    return [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("ack ")]


def check_journal(db: Path, acks: list[int]) -> int:
    """Every acknowledged input is journaled exactly as the script has it; returns the count."""
    expected = script()
    with Archive(db) as archive:
        sessions = archive.sessions()
        if not sessions:
            assert not acks
            return 0
        journal = archive.inputs(sessions[0].id)
    assert journal == expected[:len(journal)], "the journal is not a prefix of the inputs"
    assert all(n < len(journal) for n in acks), f"acknowledged {acks} but journaled {len(journal)}"
    return len(journal)


def test_sigkill_anywhere_loses_nothing(tmp_path: Path) -> None:
    """Killed 15-25 times at random points, the resumed run ends in the uninterrupted log."""
    rng = random.Random(os.environ.get("SITROOM_CRASH_SEED") or time.time_ns())
    db, out = tmp_path / "archive.sqlite3", tmp_path / "run.jsonl"
    wanted = rng.randint(*KILLS)
    kills = 0
    progress: list[int] = []
    deadline = time.monotonic() + 60
    while True:
        proc = start(db, out)
        if kills < wanted:
            # Start-up (imports, resume replay) takes ~0.3 s; aim from inside it to a few inputs
            # past it, so kills land in every phase.
            try:
                proc.wait(timeout=rng.uniform(0.15, 0.6))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                kills += 1
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode in (0, -signal.SIGKILL), stderr
        progress.append(check_journal(db, acked(stdout)))
        if proc.returncode == 0:
            assert "done" in stdout
            break
        assert time.monotonic() < deadline, f"no completion after {kills} kills: {progress}"
    print(f"{kills} kills; journal length after each run: {progress}")
    assert kills >= KILLS[0], f"only {kills} kills landed before the run finished"
    ref = plain()
    expected = "\n".join(lines(ref.header.to_dict(), ref.log)) + "\n"
    assert out.read_text(encoding="utf-8") == expected
    with Archive(db) as archive:
        (info,) = archive.sessions()
        stored = archive.log(info.id)
        assert info.settled and info.status == "ended"
        assert "\n".join(lines(stored.header, stored.events)) + "\n" == expected
