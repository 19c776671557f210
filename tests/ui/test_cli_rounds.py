"""`--rounds N` on `sitroom run` and `sitroom play`, through a subprocess as a user meets it:
fewer rounds than the scenario's end the exercise sooner, the log records them so replay
reproduces them, and a number outside the scenario's allowance is a usage error (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ui.test_cli_foundation import sitroom

MINI = str(Path(__file__).resolve().parents[1] / "data" / "good" / "mini.yaml")  # 3 rounds


def test_run_with_fewer_rounds_ends_sooner_and_replays(tmp_path: Path) -> None:
    """`run --rounds 2` of a 3-round scenario plays 2 rounds, says so, writes ``rounds`` in the
    log header, and `replay --verify` reproduces it."""
    out = tmp_path / "short.jsonl"
    result = sitroom("run", MINI, "--rounds", "2", "--no-archive", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rounds"] == 2
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["rounds"] == 2
    verified = sitroom("replay", str(out), "--verify")
    assert verified.returncode == 0, verified.stderr
    assert "over 2 rounds" in verified.stdout


def test_run_with_the_scenarios_rounds_writes_the_same_log(tmp_path: Path) -> None:
    """`--rounds` equal to the scenario's changes nothing: the log is byte-identical."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert sitroom("run", MINI, "--no-archive", "--out", str(a), "-q").returncode == 0
    assert sitroom("run", MINI, "--rounds", "3", "--no-archive", "--out", str(b)).returncode == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("command", ["run", "play"])
@pytest.mark.parametrize("n", ["0", "4"])
def test_rounds_outside_the_allowance_is_a_usage_error(command: str, n: str) -> None:
    """0 or more than the scenario's rounds: exit 2, one message naming the allowance."""
    result = sitroom(command, MINI, "--rounds", n, "--no-archive")
    assert result.returncode == 2, result.stderr
    assert f"mini has 3 rounds, so --rounds takes 1 to 3, not {n}" in result.stderr
    assert "Traceback" not in result.stderr


def test_rounds_cannot_change_a_resumed_or_forked_session(tmp_path: Path) -> None:
    """A resumed or forked session keeps the rounds it was started with."""
    result = sitroom("run", "--resume", "abc", "--rounds", "2")
    assert result.returncode == 2 and "keep the session's own rounds" in result.stderr
    result = sitroom("play", "--resume", "abc", "--rounds", "2")
    assert result.returncode == 2 and "own rounds" in result.stderr


def test_archived_run_resumes_with_its_rounds(tmp_path: Path) -> None:
    """An archived shorter run is listed as ended after its own last round."""
    env = {"SITROOM_ARCHIVE": str(tmp_path / "a.sqlite3")}
    assert sitroom("run", MINI, "--rounds", "1", "-q", env=env).returncode == 0
    listed = sitroom("sessions", env=env)
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1].split()
    assert "ended" in row and "1" in row
