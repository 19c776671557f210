"""`sitroom batch` as a user meets it: a subprocess on scenario files written to a folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from tests.batchworlds import write_files
from tests.ui.test_cli_foundation import sitroom


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The what-if world as YAML files; the scenario's path."""
    return write_files(tmp_path_factory.mktemp("tense"))


def batch_json(*args: str) -> dict[str, Any]:
    result = sitroom("batch", *args, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when piped or with --json
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_report_keys(scenario: Path) -> None:
    """--json has games, rounds, wall time, outcome counts and per-actor mean escalation."""
    data = batch_json(str(scenario), "-n", "24", "--workers", "2", "--seed", "5")
    assert data["games"] == 24 and data["seed"] == 5 and data["workers"] == 2
    assert data["rounds"] == 24 * 6 and data["wall_seconds"] > 0
    assert sum(o["count"] for o in data["outcomes"].values()) == 24
    assert set(data["mean_escalation"]) == {"a", "b", "c"}
    assert {"indicators", "top_moves", "triggers", "rounds_per_game"} <= set(data)


def test_workers_do_not_change_the_figures(scenario: Path) -> None:
    """One worker and two give the same report, timing aside."""
    one = batch_json(str(scenario), "-n", "30", "--workers", "1")
    two = batch_json(str(scenario), "-n", "30", "--workers", "2")
    for data in (one, two):
        del data["wall_seconds"], data["workers"]
    assert one == two


def test_csv_has_one_row_per_run(scenario: Path, tmp_path: Path) -> None:
    """--csv writes a header and a row per run with seed, outcome, indicators and escalation."""
    out = tmp_path / "runs.csv"
    result = sitroom("batch", str(scenario), "-n", "12", "--workers", "2", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open()))
    assert [int(r["run"]) for r in rows] == list(range(12))
    assert set(rows[0]) == {
        "run",
        "seed",
        "outcome",
        "rounds",
        "tension",
        "stability",
        "escalation.a",
        "escalation.b",
        "escalation.c",
    }
    assert {r["outcome"] for r in rows} <= {"crisis", "calm"}
    assert "crisis (Crisis)" in result.stdout and "mean escalation" in result.stdout


def test_vs_compares_two_variants(scenario: Path) -> None:
    """--vs plays a second variant on the same seeds and reports the difference B - A."""
    data = batch_json(
        str(scenario), "-n", "40", "--set", "a.escalation=0", "--vs", "a.escalation=1"
    )
    assert data["a"]["settings"] == ["a.escalation=0"]
    assert data["b"]["settings"] == ["a.escalation=0", "a.escalation=1"]
    crisis = data["difference"]["crisis"]
    assert crisis["difference"] > 0 and crisis["ci95"][0] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "a.escalaton=0.1"], "did you mean 'escalation'?"),
        (["--set", "z.escalation=0.1"], "unknown actor 'z'"),
        (["--vs", "a.interest.suport=1"], "did you mean 'support'?"),
        (["--set", "escalation"], "expected ACTOR.PARAM=VALUE"),
    ],
)
def test_bad_settings_exit_2_with_a_clear_message(
    scenario: Path, args: list[str], message: str
) -> None:
    """A bad --set or --vs is a command-line error: exit 2, the option named, no traceback."""
    result = sitroom("batch", str(scenario), "-n", "2", *args)
    assert result.returncode == 2
    assert message in result.stderr and ("'--set'" in result.stderr or "'--vs'" in result.stderr)
    assert "Traceback" not in result.stderr


def test_unwritable_csv_is_a_user_error(scenario: Path, tmp_path: Path) -> None:
    """A --csv path that cannot be written is reported in one line, exit 1."""
    result = sitroom("batch", str(scenario), "-n", "2", "--csv", str(tmp_path / "no" / "x.csv"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "does not exist" in result.stderr
    assert "Traceback" not in result.stderr
