"""A choice's rationale line from the memoised phrases is the line written in full, at every
decision of real runs."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from actors import wording
from actors.profile import ProfilePolicy
from sim.authoring.loader import load_scenario
from sim.engine.expr import Value
from sim.record.runner import run


def plain_line(
    player: ProfilePolicy,
    values: Mapping[str, Value],
    pick: wording.Scored,
    runner: wording.Scored | None,
) -> str:
    """:func:`wording.choice_line` as first written, every word made afresh."""
    s, _u, c = pick
    names = wording.move_names(player.world)
    labels = player.labels
    drive = (
        ", ".join(
            f"{'helps' if v > 0 else 'costs'} '{labels.get(i, i)}'"
            for i, v in player.explain(values, c)
        )
        or wording.NO_DRIVE
    )
    times = player.used.get(c.key, 0)
    if times:
        drive += f"; made {times} time(s) before, so worth less now"
    head = f"{player.short}: {names[c.move]}{wording.aimed(player, c.target)}: {drive}"
    if runner is None:
        return head
    other = names[runner[2].move] + wording.aimed(player, runner[2].target)
    how = "preferred to" if s >= runner[0] else "chosen for variety over"
    return f"{head}; {how} {other} (worth {s:.3f} against {runner[0]:.3f})"


def test_choice_lines_are_the_lines_written_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = wording.choice_line
    compared = 0

    def checked(
        player: ProfilePolicy,
        values: Mapping[str, Value],
        pick: wording.Scored,
        runner: wording.Scored | None,
    ) -> str:
        nonlocal compared
        line = fast(player, values, pick, runner)
        assert line == plain_line(player, values, pick, runner)
        assert fast(player, values, pick, None) == plain_line(player, values, pick, None)
        compared += 1
        return line

    monkeypatch.setattr(wording, "choice_line", checked)
    world = load_scenario("korea-instability-2012")
    for seed in (0, 1, 2):
        run(world, seed)
    assert compared > 100
