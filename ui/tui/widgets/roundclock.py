"""The optional round clock: wall-clock time left in the round, shown in a screen's header.

It paces the room, not the simulation: nothing happens when it runs out but a reminder (the
facilitator closes the round), so logs stay independent of the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

TimeLeft = Callable[[], float | None]
"""Seconds left in the round (negative: over time); None when there is no round clock."""


def clock_text(left: float | None) -> str:
    """`` · ⏱ 12:05 left`` / `` · ⏱ time is up (+1:10)``; empty without a round clock."""
    if left is None:
        return ""
    secs = int(abs(left))
    mm, ss = divmod(secs, 60)
    if left >= 0:
        return f" · ⏱ {mm}:{ss:02d} left"
    return f" · ⏱ time is up (+{mm}:{ss:02d})"


def run_clock(screen: Screen[Any], heading: str | None, left: TimeLeft | None) -> None:
    """Keep ``heading`` plus the time left in ``screen``'s subtitle, once a second; warn once
    when the time is up."""
    if left is None or left() is None:
        return
    warned = False

    def tick() -> None:
        nonlocal warned
        now = left()
        screen.sub_title = (heading or "") + clock_text(now)
        if now is not None and now < 0 and not warned:
            warned = True
            screen.notify("The round's time is up.", severity="warning")

    tick()
    screen.set_interval(1, tick)
