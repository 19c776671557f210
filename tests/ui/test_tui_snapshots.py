"""Snapshots of the main screens at the smallest supported terminal and a roomy one.

Fixed seed and in-memory world; the UI shows sim time only, so the SVGs are deterministic.
Update with `pytest tests/ui/test_tui_snapshots.py --snapshot-update` and review the diff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tuikit import four, make_app, press, settle

SIZES = [(80, 24), (120, 40)]
Drive = Callable[[Pilot[Any]], Awaitable[None]]
# A world with a dated clock, an inject and a secret move, so the screens show real content.
WORLD = """
clock: {start: "2012-11-13 08:00", round_hours: 6, rounds: 4}
injects:
  - {id: rumours, at: 0, title: Leader unseen, text: State media skip a major event.}
  - {id: quake, at: 3, title: Border incident, audience: [a], text: Shots near the river.}
"""


async def setup(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def seat(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await press(
        pilot, "ctrl+s", "enter", "m", "down", "enter", "m", *["down"] * 5, "enter", "enter"
    )


async def control(pilot: Pilot[Any]) -> None:
    await seat(pilot)
    await press(pilot, "s", "enter", "enter", "m", "down", "down", "enter", "s", "enter", "enter")


async def results(pilot: Pilot[Any]) -> None:
    await control(pilot)
    await press(pilot, "c", "enter", "enter", "enter")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("drive", [setup, seat, control, results], ids=lambda d: d.__name__)
def test_screen_snapshot(snap_compare: Any, drive: Drive, size: tuple[int, int]) -> None:
    """Each main screen renders as approved, at 80x24 and 120x40."""
    assert snap_compare(make_app(four(WORLD)), terminal_size=size, run_before=drive)
