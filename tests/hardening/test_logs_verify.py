"""Every log sitroom writes verifies: each bundled scenario's, and those of a hostile-but-valid
scenario (expressions near the depth limit, numbers at the 1e15 limit, zero divisors, texts with
escape sequences, Hangul and bidi marks), written and verified through the real command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.record.log import read_log, write_log
from sim.record.runner import run, verify

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "good" / "hostile" / "hostile.yaml"


@pytest.mark.parametrize("scenario", library.scenario_ids())
def test_bundled_logs_verify(scenario: str, tmp_path: Path) -> None:
    world = load_scenario(scenario)
    for seed in range(3):
        session = run(world, seed, scenario_ref=scenario)
        path = tmp_path / f"{seed}.jsonl"
        write_log(path, session.header.to_dict(), session.log)
        assert verify(world, read_log(path)) is None, (scenario, seed)


def test_hostile_but_valid_logs_verify(tmp_path: Path) -> None:
    for seed in range(4):
        out = tmp_path / f"{seed}.jsonl"
        for argv in (
            ["run", str(HOSTILE), "--seed", str(seed), "--no-archive", "--out", str(out)],
            ["replay", str(out), "--verify"],
        ):
            proc = subprocess.run(
                [sys.executable, "-m", "ui.cli", *argv],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            assert proc.returncode == 0, (argv, proc.stderr)
            assert "\x1b" not in proc.stdout + proc.stderr  # escapes never reach the terminal
