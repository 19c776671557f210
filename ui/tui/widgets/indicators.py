"""Indicators with their history as sparklines, as one seat has seen them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from sim.world import World
from ui.tui.history import histories
from ui.tui.text import labels, number


@dataclass(frozen=True, slots=True)
class Row:
    """One charted value."""

    name: str
    label: str
    history: tuple[float, ...]

    @property
    def value(self) -> str:
        """The latest value, for display."""
        return number(self.history[-1]) if self.history else "?"

    @property
    def change(self) -> str:
        """Change over the last step, e.g. ``+5``; empty when unchanged."""
        if len(self.history) < 2 or self.history[-1] == self.history[-2]:
            return ""
        return f"{self.history[-1] - self.history[-2]:+g}"


def chart_names(world: World, actor: str | None) -> list[str]:
    """What a seat charts: visible indicators, then its own variables and trust pairs.

    Control charts every indicator and every actor's variables.
    """
    visible = world.visible[actor] if actor is not None else world.names
    names = [i.id for i in world.scenario.indicators if i.id in visible]
    owners = [actor] if actor is not None else list(world.actors)
    names += [f"{a}.{v.id}" for a in owners for v in world.scenario.variables]
    names += sorted(n for n in visible if n.startswith("trust.")
                    and (actor is None or actor in n.split(".")[1:]))
    return [n for n in names if n in visible]


def rows_for(world: World, actor: str | None, events: Sequence[dict[str, Any]]) -> list[Row]:
    """Rows for a seat from its own redacted events since the start."""
    names = chart_names(world, actor)
    hist = histories(world, actor, events, names)
    label = labels(world)
    return [Row(n, label.get(n, n), tuple(hist[n])) for n in names if n in hist]


class IndicatorPanel(VerticalScroll):
    """Label, value, last change and a sparkline of the history for each row."""

    DEFAULT_CSS = """
    IndicatorPanel { height: 1fr; }
    IndicatorPanel > Horizontal { height: 1; }
    IndicatorPanel .ind-label { width: 30; }
    IndicatorPanel .ind-value { width: 6; text-align: right; }
    IndicatorPanel .ind-change { width: 6; text-align: right; margin-right: 1; color: $text-muted; }
    IndicatorPanel Sparkline { width: 1fr; min-width: 8; }
    IndicatorPanel .ind-empty { color: $text-muted; }
    """

    def __init__(self, rows: Sequence[Row], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        if not self.rows:
            yield Static("Nothing to chart.", classes="ind-empty")
        for row in self.rows:
            with Horizontal():
                yield Label(row.label, classes="ind-label", markup=False)
                yield Label(row.value, classes="ind-value")
                yield Label(row.change, classes="ind-change")
                spark = Sparkline(list(row.history))
                # One column group per round keeps the time axis the same in every row.
                spark.styles.max_width = 3 * max(len(row.history), 2)
                yield spark
