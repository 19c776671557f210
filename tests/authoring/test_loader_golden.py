"""Golden files: each tests/data/bad/NAME.yaml must produce exactly the problems in NAME.expected.

Regenerate after a deliberate wording change with ``SITROOM_UPDATE_GOLDEN=1 pytest`` and review
the diff. YAML files without an ``.expected`` are helpers (profiles, catalogues) that the bad
scenarios use; they must be valid themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.authoring.loader import load_scenario, validate_paths

ROOT = Path(__file__).resolve().parents[2]
BAD = Path("tests/data/bad")
CASES = sorted(p.stem for p in (ROOT / BAD).glob("*.expected"))
HELPERS = sorted(
    p.name for p in (ROOT / BAD).glob("*.yaml") if not p.with_suffix(".expected").exists()
)


def render(path: Path) -> str:
    """Every problem of a file, formatted as `sitroom validate` prints it."""
    return "".join(p.format() + "\n" for p in validate_paths([path]))


@pytest.mark.parametrize("name", CASES)
def test_bad_file_problems(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bad file produces exactly its expected problems, positions and carets included."""
    monkeypatch.chdir(ROOT)
    got = render(BAD / f"{name}.yaml")
    expected_path = BAD / f"{name}.expected"
    if os.environ.get("SITROOM_UPDATE_GOLDEN") == "1":
        expected_path.write_text(got, encoding="utf-8")
    assert got == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", HELPERS)
def test_helper_files_are_valid(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A YAML file in bad/ without .expected is a valid helper, not a forgotten golden."""
    monkeypatch.chdir(ROOT)
    assert render(BAD / name) == ""


def test_enough_golden_cases() -> None:
    """The golden suite covers at least twenty kinds of mistakes."""
    assert len(CASES) >= 20


def test_no_invented_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reported line exists in its file, and its source line is that line's text."""
    monkeypatch.chdir(ROOT)
    for name in CASES:
        for problem in validate_paths([BAD / f"{name}.yaml"]):
            if problem.line == 0:
                assert problem.col == 0 and problem.source_line == ""
                continue
            raw = Path(problem.path).read_bytes().decode("utf-8", errors="replace")
            lines = raw.splitlines()
            assert 1 <= problem.line <= len(lines), problem
            assert problem.source_line == lines[problem.line - 1], problem


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("requires_names", 1),
        ("faction_overrides", 1),
        ("end_yaml_nonfinite", 1),
        ("end_expr_nonfinite", 1),
        ("requires_never", 0),
        ("catalogue_requires", 0),
        ("exclude_kinds", 1),
        ("exclude_left_out", 0),
        ("requires_uncomputable", 1),
        ("expr_constant_overflow", 1),
    ],
)
def test_validate_exits_with_the_golden_problems_and_no_traceback(name: str, code: int) -> None:
    """`sitroom validate` prints the golden problems (errors first), exits 1 on an error and 0
    on warnings only, never with a traceback."""
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "validate", str(BAD / f"{name}.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    expected = (ROOT / BAD / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    assert sorted(proc.stdout.splitlines()[: len(expected)]) == sorted(expected)


def test_an_exclude_of_a_move_already_left_out_keeps_it_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A shared catalogue's move this scenario lacks the state for may also be excluded: the
    world builds without it, and the include's warning names only the moves left out unasked."""
    monkeypatch.chdir(ROOT)
    world = load_scenario(BAD / "exclude_left_out.yaml")
    assert "aid" not in world.moves and "rally" not in world.moves
    assert {"calm_down", "protest", "talk"} <= set(world.moves)


def test_run_refuses_a_requires_that_cannot_be_computed_before_playing(tmp_path: Path) -> None:
    """`sitroom run` stops at load with the golden problems (exit 1), not mid-run with "the log
    does not fit its scenario" or a traceback, and writes no log."""
    out = tmp_path / "run.jsonl"
    scenario = str(BAD / "requires_uncomputable.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "run", scenario, "-q", "--no-archive", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "does not fit" not in proc.stderr
    expected = (ROOT / BAD / "requires_uncomputable.expected").read_text(encoding="utf-8")
    assert sorted(proc.stderr.splitlines()) == sorted(expected.splitlines())
    assert not out.exists()
