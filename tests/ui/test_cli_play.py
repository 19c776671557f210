"""`sitroom play` on the command line: argument errors, and what it hands to the TUI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.test_headless_core import loaded_after
from tests.ui.test_cli_foundation import sitroom
from ui.tui.app import SitroomApp

MINI = str(Path(__file__).resolve().parents[1] / "data" / "good" / "mini.yaml")


def test_play_module_does_not_import_textual() -> None:
    """Registering `play` keeps `sitroom --help` free of textual: it is imported on run only."""
    loaded = loaded_after(["ui.cli", "ui.cli.play"])
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--seat", "alpha"], "'alpha' is not ACTOR=human|computer"),
        (["--seat", "alpha=robot"], "seat 'robot' for alpha must be human or computer"),
        (
            [MINI, "--seat", "gamma=human"],
            "unknown actor 'gamma' in mini (its actors: alpha, beta)",
        ),
    ],
)
def test_bad_seat_is_a_usage_error(args: list[str], expected: str) -> None:
    """A malformed or unknown --seat exits 2 with a usage message naming it."""
    result = sitroom("play", *args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_scenario_is_one_line_exit_1() -> None:
    """An unknown scenario id is a one-line user error."""
    result = sitroom("play", "no-such-scenario")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no-such-scenario" in result.stderr


def test_arguments_reach_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scenario, seats and seed preset the setup screen; the named scenario is loaded first."""
    started: list[SitroomApp] = []

    def fake_run(self: SitroomApp, *args: Any, **kwargs: Any) -> None:
        started.append(self)

    monkeypatch.setattr(SitroomApp, "run", fake_run)
    from ui.cli import main

    result = CliRunner().invoke(
        main, ["play", MINI, "--seat", "beta=human", "--seed", "9"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    (app,) = started
    assert app.selected == MINI and app.seed == 9
    assert app.preset_seats == {"beta": "human"}
    assert app.choices[0].ref == MINI and app.choices[0].loaded is not None
