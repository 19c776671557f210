"""`sitroom play --from LOG --until N`: a recorded run reopened at round N for rehearsal."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.authoring.problems import UserError
from tests.ui.test_cli_foundation import sitroom
from ui.cli.rehearse import rehearsal


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A computer-played run of the flagship scenario."""
    out = tmp_path_factory.mktemp("rehearse") / "run.jsonl"
    done = sitroom(
        "run", "korea-instability-2012", "--seed", "4", "--out", str(out), "--no-archive"
    )
    assert done.returncode == 0, done.stderr
    return out


def test_opens_at_round_n_with_the_same_history(recorded: Path) -> None:
    """The new session stands at round N, and its log so far is the recorded one."""
    from sim.record.log import read_log

    session, archived = rehearsal(recorded, 3, None, no_archive=True)
    assert archived is None
    assert session.round == 3 and not session.over
    original = read_log(recorded).events
    assert session.log == original[: len(session.log)]
    assert session.log[-1].type == "round_closed" and session.log[-1].round == 2


def test_round_one_is_the_start(recorded: Path) -> None:
    """--until 1 opens the run's scenario, seed and seats before any decision."""
    session, _ = rehearsal(recorded, 1, None, no_archive=True)
    assert session.round == 1 and session.seed == 4


def test_a_round_the_log_does_not_reach_is_an_input_error(recorded: Path) -> None:
    """Asking for a round past the log's end names the rounds it has."""
    with pytest.raises(UserError, match=r"closes rounds 1\.\.8, so it can open at round 1\.\.9"):
        rehearsal(recorded, 12, None, no_archive=True)
    out = sitroom("play", "--from", str(recorded), "--until", "12", "--no-archive")
    assert out.returncode == 1
    assert "closes rounds 1..8" in out.stderr


def test_from_needs_until() -> None:
    """--from without --until (or with a scenario) is a usage error."""
    assert sitroom("play", "--from", "x.jsonl").returncode == 2
