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

from sim.record.archive import Archive
from sim.record.log import lines
from tests.archive_driver import plain, script

ROOT = Path(__file__).resolve().parents[2]
KILLS = (15, 25)
SLOW = "0.02"


def start(db: Path, out: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, SITROOM_TEST_SLOW=SLOW, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.archive_driver", str(db), str(out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
    assert journal == expected[: len(journal)], "the journal is not a prefix of the inputs"
    assert all(n < len(journal) for n in acks), f"acknowledged {acks} but journaled {len(journal)}"
    return len(journal)


def kill_at(proc: subprocess.Popen[str], rng: random.Random, done: int, target: int) -> str:
    """SIGKILL the driver once the journal reaches ``target`` inputs (plus a random fraction of
    an input); at once if it is already there, then in start-up or just after the resume.

    Every kill must land before the run can finish: targets leave at least three inputs to go,
    each slowed by 2 x SLOW, and the driver's imports alone take longer than the start-up wait.
    """
    assert proc.stdout is not None
    seen: list[str] = []
    if target > done:
        for line in proc.stdout:
            seen.append(line)
            if line.startswith("ack ") and int(line.split()[1]) + 1 >= target:
                break
        time.sleep(rng.uniform(0, 2 * float(SLOW)))
    elif rng.random() < 0.5:
        time.sleep(rng.uniform(0, 0.1))  # start-up: imports, opening the archive
    else:
        for line in proc.stdout:  # the resume has replayed the journal
            seen.append(line)
            if line.startswith("session "):
                break
        time.sleep(rng.uniform(0, float(SLOW)))
    proc.send_signal(signal.SIGKILL)
    return "".join(seen)


def test_sigkill_anywhere_loses_nothing(tmp_path: Path) -> None:
    """Killed 15-25 times at random points, the resumed run ends in the uninterrupted log."""
    seed = int(os.environ.get("SITROOM_CRASH_SEED") or time.time_ns() % 2**32)
    rng = random.Random(seed)
    db, out = tmp_path / "archive.sqlite3", tmp_path / "run.jsonl"
    # Kill points as journal lengths; repeats kill a run before it gets anywhere.
    targets = sorted(rng.randrange(len(script()) - 2) for _ in range(rng.randint(*KILLS)))
    done, kills, progress = 0, 0, []
    while True:
        proc = start(db, out)
        head = kill_at(proc, rng, done, targets[kills]) if kills < len(targets) else ""
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode in (0, -signal.SIGKILL), stderr
        kills += proc.returncode == -signal.SIGKILL
        done = check_journal(db, acked(head + stdout))
        progress.append(done)
        if proc.returncode == 0:
            break
    assert kills == len(targets), f"seed {seed}: the run finished after {kills} kills"
    ref = plain()
    expected = "\n".join(lines(ref.header.to_dict(), ref.log)) + "\n"
    assert out.read_text(encoding="utf-8") == expected, f"seed {seed}, journal: {progress}"
    with Archive(db) as archive:
        (info,) = archive.sessions()
        stored = archive.log(info.id)
        assert info.settled and info.status == "ended"
        assert "\n".join(lines(stored.header, stored.events)) + "\n" == expected
