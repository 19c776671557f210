"""The execution core is reachable without the TUI: no textual in sim/, actors/, scenarios/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = [
    "sim",
    "actors",
    "scenarios",
    "sim.authoring.loader",
    "sim.authoring.library",
    "sim.engine.world",
    "sim.engine.session",
    "sim.record.runner",
]


def loaded_after(modules: list[str]) -> set[str]:
    """Names in sys.modules after importing ``modules`` in a fresh interpreter."""
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return set(out.split())


def test_core_does_not_import_textual() -> None:
    """Importing the engine, loader and models never loads textual."""
    loaded = loaded_after(CORE)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}
    assert not {m for m in loaded if m == "ui" or m.startswith("ui.")}


def test_cli_commands_do_not_import_textual() -> None:
    """The CLI and its non-TUI commands stay free of textual (only `play` may load it)."""
    from ui.cli import COMMANDS

    modules = ["ui.cli", *(t.split(":")[0] for n, t in COMMANDS.items() if n != "play")]
    loaded = loaded_after(modules)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_import_linter_contract() -> None:
    """The import-linter contracts in pyproject.toml hold (lint-imports)."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed")
    result = subprocess.run(
        [exe], cwd=ROOT, text=True, capture_output=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
