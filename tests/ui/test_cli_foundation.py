"""The `sitroom` command's foundation: validate, schema, new, list, exit codes and error output.

Run as a subprocess (``python -m ui.cli``), exactly as a user would meet it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.authoring import library as registry
from sim.models import KINDS
from ui.cli import COMMANDS
from ui.cli.schema import file_name, schema_text

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"
BAD = ROOT / "tests" / "data" / "bad"


def sitroom(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


def test_help_lists_commands() -> None:
    """--help exits 0 and lists every registered command."""
    result = sitroom("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_version() -> None:
    """--version prints the package version."""
    result = sitroom("--version")
    assert result.returncode == 0
    assert "sitroom, version" in result.stdout


def test_validate_good_files_exit_0() -> None:
    """Valid files: exit 0 and a summary line."""
    result = sitroom("validate", *map(str, sorted(GOOD.glob("*.yaml"))))
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("checked: all valid")


def test_validate_bad_file_prints_problems_exit_1() -> None:
    """Invalid file: each problem as file:line:col with caret, a summary, exit 1."""
    result = sitroom("validate", "tests/data/bad/unknown_key.yaml")
    assert result.returncode == 1
    expected = (BAD / "unknown_key.expected").read_text()
    assert result.stdout == expected + "1 file checked: 1 error in 1 file\n"
    assert "Traceback" not in result.stderr


def test_validate_folder_and_warnings() -> None:
    """A folder is searched for YAML files; warnings alone do not fail."""
    result = sitroom("validate", "tests/data/bad/catalogue_warning.yaml")
    assert result.returncode == 0
    assert ": warning: " in result.stdout
    assert result.stdout.strip().endswith("all valid, 1 warning")
    folder = sitroom("validate", "tests/data/good")
    assert folder.returncode == 0
    assert folder.stdout.startswith(f"{len(list(GOOD.rglob('*.yaml')))} files checked")


def test_validate_missing_file_is_user_error() -> None:
    """A missing file is one line and exit 1, no traceback."""
    result = sitroom("validate", "nope.yaml")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "nope.yaml: no such file"


def test_usage_errors_exit_2() -> None:
    """Bad arguments are click usage errors with exit 2 and a suggestion for typos."""
    assert sitroom("validate").returncode == 2
    typo = sitroom("valdate", "x.yaml")
    assert typo.returncode == 2
    assert "Did you mean 'validate'?" in typo.stderr
    assert sitroom("schema", "scenaro").returncode == 2


def test_internal_error_is_one_line_exit_70(tmp_path: Path) -> None:
    """An unexpected exception prints one 'internal error' line, exit 70, no traceback."""
    plugin = tmp_path / "boom_cmd.py"
    plugin.write_text(
        "import click\n@click.command('boom')\ndef boom() -> None:\n"
        "    raise ZeroDivisionError('division by zero')\n"
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import ui.cli as c; "
        "c.COMMANDS['boom'] = 'boom_cmd:boom'; c.main(['boom'], prog_name='sitroom')"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "SITROOM_DEBUG"},
    )
    assert run.returncode == 70
    assert run.stderr.startswith("internal error: ZeroDivisionError: division by zero")
    assert len(run.stderr.strip().splitlines()) == 1
    debug = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=60,
        env={**os.environ, "SITROOM_DEBUG": "1"},
    )
    assert "Traceback" in debug.stderr


def test_schema_prints_json() -> None:
    """`sitroom schema actor` prints the actor profile's JSON Schema."""
    result = sitroom("schema", "actor")
    assert result.returncode == 0
    assert json.loads(result.stdout)["properties"]["kind"]["const"] == "actor"


def test_committed_schemas_are_up_to_date() -> None:
    """schema/*.schema.json match the models; regenerate with `sitroom schema --write schema`."""
    for kind in KINDS:
        committed = (ROOT / "schema" / file_name(kind)).read_text(encoding="utf-8")
        assert committed == schema_text(kind), f"run: sitroom schema --write schema ({kind})"


def test_schema_write(tmp_path: Path) -> None:
    """--write writes one file per kind."""
    result = sitroom("schema", "--write", str(tmp_path / "s"))
    assert result.returncode == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(map(file_name, KINDS))


@pytest.mark.parametrize("folder", ["scenarios", "actors"])
def test_bundled_yaml_starts_with_schema_line(folder: str) -> None:
    """Every bundled YAML file's first line points editors at the schema of its kind."""
    for path in sorted((ROOT / folder).glob("*.yaml")):
        kind = registry.sniff_kind(path)
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../schema/{kind}.schema.json", path


def test_new_scenario_scaffold(tmp_path: Path) -> None:
    """`new scenario` writes a file that parses and checks; it never overwrites."""
    result = sitroom("new", "scenario", "border-crisis", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    target = tmp_path / "border-crisis.yaml"
    text = target.read_text()
    assert "id: border-crisis" in text
    from sim.authoring.loader import check_file

    assert check_file(target).problems == ()
    again = sitroom("new", "scenario", "border-crisis", "--dir", str(tmp_path))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert target.read_text() == text
    assert sitroom("new", "scenario", "Bad Name", "--dir", str(tmp_path)).returncode == 2


@pytest.mark.skipif(
    not {"us", "china"} <= set(registry.actor_ids()) or not registry.catalogues(),
    reason="bundled actors and catalogue not merged yet",
)
def test_new_scenario_validates(tmp_path: Path) -> None:
    """The scaffold passes `sitroom validate` including its cross-file checks."""
    assert sitroom("new", "scenario", "drill", "--dir", str(tmp_path)).returncode == 0
    result = sitroom("validate", str(tmp_path / "drill.yaml"))
    assert result.returncode == 0, result.stdout


def test_list_default_first() -> None:
    """`sitroom list` shows bundled scenarios, the default first and marked, then actors."""
    result = sitroom("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Scenarios")
    assert lines[1].split()[0] == registry.DEFAULT_SCENARIO
    assert "(default)" in lines[1]
    assert any(line.startswith("Actors") for line in lines)


def test_unknown_scenario_for_run_is_user_error() -> None:
    """A user error from any command prints its message, exit 1, no traceback."""
    result = sitroom("run", "korea-instability-2021")
    assert result.returncode == 1
    assert "did you mean 'korea-instability-2012'?" in result.stderr
    assert "Traceback" not in result.stderr


# -- README and CI ------------------------------------------------------------------------------
PLAY = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/sitroom play"
TEST = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"


def test_quickstart_lines_verbatim() -> None:
    """Both Quickstart command lines appear exactly, each on its own line."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert PLAY in lines
    assert TEST in lines


def test_ci_runs_the_readme_test_line() -> None:
    """.ci/run extracts exactly the README's test line (so the two cannot drift)."""
    result = subprocess.run(
        [str(ROOT / ".ci" / "run"), "--print"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert result.stdout == TEST + "\n"
