"""The MSEL spreadsheet: every scheduled inject out and back in (xlsx and CSV), bad rows named by
their cell, nothing written on error. Run through the `sitroom msel` command, as a user would."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from sim.authoring.loader import load_file
from sim.models import Scenario

ROOT = Path(__file__).resolve().parents[2]
MSEL = ROOT / "tests" / "data" / "msel"


def sitroom(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=120,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The drill scenario, an empty one with the same actors, and their helper files."""
    for f in MSEL.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def injects(path: Path) -> list[tuple[object, ...]]:
    model, _ = load_file(path, expect="scenario")
    assert isinstance(model, Scenario)
    return [
        (i.id, i.at, i.audience, i.title, i.text, i.expected_action, i.objective)
        for i in model.injects
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_into_an_empty_scenario(folder: Path, suffix: str) -> None:
    """Export, import into an empty scenario: identical injects, every column kept."""
    out = sitroom("msel", "export", "drill.yaml", "--out", f"drill{suffix}", cwd=folder)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"wrote 4 injects to drill{suffix}\n"
    back = sitroom("msel", "import", f"drill{suffix}", "--into", "empty.yaml", cwd=folder)
    assert back.returncode == 0, back.stderr
    assert back.stdout == "read 4 injects into empty.yaml\n"
    assert injects(folder / "empty.yaml") == injects(folder / "drill.yaml")
    again = sitroom("validate", "empty.yaml", cwd=folder)
    assert again.returncode == 0, again.stdout + again.stderr


def test_import_keeps_the_rest_of_the_file_and_effects_of_known_ids(folder: Path) -> None:
    """Re-importing a scenario's own MSEL keeps its header, comments and injects."""
    before = (folder / "drill.yaml").read_text(encoding="utf-8")
    assert sitroom("msel", "export", "drill.yaml", "--out", "d.csv", cwd=folder).returncode == 0
    old = injects(folder / "drill.yaml")
    assert sitroom("msel", "import", "d.csv", "--into", "drill.yaml", cwd=folder).returncode == 0
    after = (folder / "drill.yaml").read_text(encoding="utf-8")
    assert after.split("injects:")[0] == before.split("injects:")[0]
    assert after.split("end_conditions:")[1] == before.split("end_conditions:")[1]
    assert injects(folder / "drill.yaml") == old


def _xlsx_from_csv(src: Path, out: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "MSEL"
    with src.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            sheet.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in row])
    book.save(out)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_rows_are_named_by_cell_and_nothing_is_written(folder: Path, suffix: str) -> None:
    """Each bad row gets its cell and what to write; the scenario file is left unchanged."""
    src = MSEL / "bad_rows.csv"
    if suffix == ".csv":
        shutil.copy(src, folder / "bad_rows.csv")
    else:
        _xlsx_from_csv(src, folder / "bad_rows.xlsx")
    before = (folder / "empty.yaml").read_bytes()
    out = sitroom("msel", "import", f"bad_rows{suffix}", "--into", "empty.yaml", cwd=folder)
    assert out.returncode == 1
    assert (folder / "empty.yaml").read_bytes() == before
    expected = MSEL / f"bad_rows{suffix}.expected"
    if os.environ.get("SITROOM_UPDATE_GOLDEN") == "1":
        expected.write_text(out.stderr, encoding="utf-8")
    assert out.stderr == expected.read_text(encoding="utf-8")
