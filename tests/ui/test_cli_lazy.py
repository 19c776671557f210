"""`sitroom --help` lists the commands without importing them (start-up speed, issue 18)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click

from ui.cli import COMMANDS, SUMMARIES

ROOT = Path(__file__).resolve().parents[2]


def test_summaries_match_each_commands_help() -> None:
    """Every command has a summary, and it is what the command's own help would list."""
    assert set(SUMMARIES) == set(COMMANDS)
    for name, target in COMMANDS.items():
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        assert command.get_short_help_str(1000) == SUMMARIES[name], name


def test_help_imports_no_command_module() -> None:
    """--help loads none of the command modules, nor the engine."""
    code = (
        "import sys, ui.cli as c\n"
        "try:\n    c.main(['--help'], prog_name='sitroom')\nexcept SystemExit:\n    pass\n"
        "mods = [t.split(':')[0] for t in c.COMMANDS.values()] + ['sim.engine.session']\n"
        "print([m for m in mods if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, text=True, capture_output=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_unsummarised_command_is_still_listed(tmp_path: Path) -> None:
    """A command registered without a summary is imported to ask for its help."""
    (tmp_path / "extra_cmd.py").write_text(
        "import click\n@click.command('extra')\ndef extra() -> None:\n    'Do the extra thing.'\n"
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import ui.cli as c; "
        "c.COMMANDS['extra'] = 'extra_cmd:extra'; c.main(['--help'], prog_name='sitroom')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, text=True, capture_output=True
    )
    assert out.returncode == 0, out.stderr
    assert "extra     Do the extra thing." in out.stdout


def test_start_up_runs_without_collections() -> None:
    """The command line's start-up (the command's modules) runs with the collector off; the
    command itself runs with it on, over the start-up's objects frozen. A CliRunner-style call
    (explicit args: tests, scripts) leaves the collector alone."""
    code = (
        "import gc, sys, ui.cli as c\n"
        "first = []\n"
        "def seen(phase, info):\n"
        "    if phase == 'start' and not first:\n"
        "        first.append('sim.engine.session' in sys.modules)\n"
        "gc.callbacks.append(seen)\n"
        "sys.argv = ['sitroom', 'run', '--no-archive', '-q', '--rounds', '2']\n"
        "try:\n    c.main(prog_name='sitroom')\nexcept SystemExit:\n    pass\n"
        "print(first, gc.isenabled(), gc.get_freeze_count() > 0)\n"
        "gc.unfreeze()\n"
        "try:\n    c.main(['run', '--no-archive', '-q', '--rounds', '2'], prog_name='sitroom')\n"
        "except SystemExit:\n    pass\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, text=True, capture_output=True, check=True
    )
    lines = [line for line in out.stdout.splitlines() if not line.startswith("Outcome")]
    assert lines == ["[True] True True", "True 0"], out.stdout
