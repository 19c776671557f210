"""The escalation ladder over time: each actor's highest escalation level per round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.widgets import Static

from sim.engine.world import World
from ui.tui.text import actor_name, escalation_style, escape


def ladder_markup(world: World, rows: Mapping[str, Sequence[int | None]], current: int) -> str:
    """A grid, one row per actor and one column per round, levels coloured by severity."""
    rounds = max((len(r) for r in rows.values()), default=0)
    head = "".join(
        f"{r:>3}" if r != current else f"[reverse]{r:>3}[/]" for r in range(1, rounds + 1)
    )
    lines = [f"[b]{'round':<10}[/b]{head}"]
    for actor, levels in rows.items():
        cells = "".join(
            "  ·" if lv is None else f"[{escalation_style(lv)}]{lv:>3}[/]" for lv in levels
        )
        lines.append(f"{escape(f'{actor_name(world, actor)[:10]:<10}')}{cells}")
    lines.append("")
    lines.append(
        "[dim]highest escalation level used in each round: 0 conciliatory … 10 nuclear use[/dim]"
    )
    return "\n".join(lines)


class EscalationLadder(Static):
    """The ladder as a static grid (rebuilt by the screen when the log grows)."""

    DEFAULT_CSS = """
    EscalationLadder { height: auto; padding: 0 1; }
    """

    def __init__(
        self,
        world: World,
        rows: Mapping[str, Sequence[int | None]],
        current: int,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(ladder_markup(world, rows, current), id=id)
