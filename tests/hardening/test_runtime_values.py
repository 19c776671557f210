"""Scenarios valid at load whose arithmetic leaves what a state can hold at run time (a product
of state values that overflows to an infinity, infinity minus infinity, an integer too large for
a float, ``round()`` given NaN digits), in an effect, a chance or a condition (the clock's end
conditions, read when it runs out, and the profiles' faction shifts included): the run stops
with exit 1 and the message in tests/data/bad/runtime/NAME.expected (file:line:col of the
expression, and the round), writes no log, and leaves no half-performed round in the archive.

Regenerate after a deliberate wording change with ``SITROOM_UPDATE_GOLDEN=1 pytest``.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sim.authoring.loader import load_scenario
from sim.engine.expr import NonFinite
from sim.record.runner import run

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "data" / "bad" / "runtime"
CASES = {
    "nan_effect": None,
    "inf_effect": None,
    "huge_int_condition": None,
    "round_nan_digits": None,
    "huge_int_end": None,
    "round_nan_end": None,
    "nan_shift": None,
    "inf_chance": "inf_chance_script.yaml",
    "nan_move_effect": "nan_move_effect_script.yaml",
}


def sitroom(*args: str, cwd: Path, archive: Path | None = None) -> tuple[int, str, str]:
    env = {**os.environ, "SITROOM_ARCHIVE": str(archive or cwd / "archive.sqlite3")}
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def argv(name: str, *extra: str) -> list[str]:
    script = CASES[name]
    more = ["--script", str(HERE / script)] if script else []
    return ["run", str(HERE / f"{name}.yaml"), "--seed", "1", "-q", *more, *extra]


@pytest.mark.parametrize("name", sorted(CASES))
def test_run_stops_with_the_expression_located(name: str, tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    code, _, err = sitroom(*argv(name, "--no-archive", "--out", str(out)), cwd=tmp_path)
    got = f"exit {code}\n" + err.replace(str(ROOT), "ROOT")
    expected = HERE / f"{name}.expected"
    if os.environ.get("SITROOM_UPDATE_GOLDEN") == "1":
        expected.write_text(got, encoding="utf-8")
    assert code == 1 and "Traceback" not in err and "internal error" not in err, err
    assert got == expected.read_text(encoding="utf-8")
    assert not out.exists()  # no log holding a NaN (it would never verify)


def test_archive_keeps_no_half_round(tmp_path: Path) -> None:
    """With the archive on: the stored events stop at the last round that closed; export and
    resume answer with the same located message (exit 1), not a log that fails to verify."""
    archive = tmp_path / "a.sqlite3"
    code, _, err = sitroom(*argv("nan_effect"), cwd=tmp_path, archive=archive)
    assert code == 1 and "nan_effect.yaml:23:22: round 2" in err, err
    with sqlite3.connect(archive) as db:
        (sid,) = db.execute("SELECT id FROM sessions").fetchone()
        bodies = [r[0] for r in db.execute("SELECT json FROM events ORDER BY seq")]
    assert json.loads(bodies[-1])["type"] == "round_closed"
    for args in (["export", sid, "--out", str(tmp_path / "e.jsonl")], ["run", "--resume", sid]):
        code, _, err = sitroom(*args, cwd=tmp_path, archive=archive)
        assert code == 1 and "nan_effect.yaml:23:22: round 2" in err, (args, err)
    assert not (tmp_path / "e.jsonl").exists()


def test_an_end_condition_read_when_the_clock_runs_out_stops_resume_alike(tmp_path: Path) -> None:
    """The clock's last check stops the run after the last round closed, with no outcome
    recorded; resuming reads the same end condition and answers with the same message."""
    archive = tmp_path / "a.sqlite3"
    code, _, err = sitroom(*argv("huge_int_end"), cwd=tmp_path, archive=archive)
    where = "huge_int_end.yaml:21:33: round 4, when the clock ran out: end condition 'odd'"
    assert code == 1 and where in err, err
    with sqlite3.connect(archive) as db:
        (sid,) = db.execute("SELECT id FROM sessions").fetchone()
        types = [json.loads(r[0])["type"] for r in db.execute("SELECT json FROM events")]
    assert types[-1] == "round_closed" and "ended" not in types
    code, _, err = sitroom("run", "--resume", sid, cwd=tmp_path, archive=archive)
    assert code == 1 and where in err and "Traceback" not in err, err


def test_the_error_survives_a_process_boundary() -> None:
    """Batch workers send it back pickled: it must arrive whole."""
    world = load_scenario(HERE / "nan_effect.yaml")
    with pytest.raises(NonFinite) as info:
        run(world, 1)
    back = pickle.loads(pickle.dumps(info.value))
    assert (back.round, back.where, back.scenario_file) == (
        2,
        ("effect", "trigger:grow", "x"),
        str(HERE / "nan_effect.yaml"),
    )
