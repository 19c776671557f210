"""Indicators with their history as sparklines, as one seat has seen them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Sparkline, Static

from sim.engine.world import World
from sim.report.labels import state_labels
from ui.tui.history import histories
from ui.tui.text import number


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
    names += sorted(
        n
        for n in visible
        if n.startswith("trust.") and (actor is None or actor in n.split(".")[1:])
    )
    return [n for n in names if n in visible]


def rows_for(world: World, actor: str | None, events: Sequence[Mapping[str, Any]]) -> list[Row]:
    """Rows for a seat from its own redacted events since the start."""
    names = chart_names(world, actor)
    hist = histories(world, actor, events, names)
    label = state_labels(world)
    return [Row(n, label.get(n, n), tuple(hist[n])) for n in names if n in hist]


class IndicatorPanel(VerticalScroll):
    """One row per value: label, value and last change, then a sparkline of the history.

    Two widgets a row (a label and Textual's Sparkline) in a grid: screens are rebuilt every
    turn, and fewer widgets is what keeps that fast.
    """

    DEFAULT_CSS = """
    IndicatorPanel { layout: grid; grid-size: 2; grid-columns: auto 1fr; grid-rows: 1;
                     grid-gutter: 0 1; height: 1fr; }
    IndicatorPanel Sparkline { min-width: 6; }
    IndicatorPanel .ind-empty { color: $text-muted; column-span: 2; }
    """

    def __init__(
        self, rows: Sequence[Row], *, label_width: int = 30, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.rows = list(rows)
        self.label_width = label_width

    def compose(self) -> ComposeResult:
        if not self.rows:
            yield Static("Nothing to chart.", classes="ind-empty")
        w = self.label_width
        for row in self.rows:
            label = row.label if len(row.label) <= w else row.label[: w - 1] + "…"
            yield Label(f"{label:<{w}} {row.value:>6} {row.change:>5}", markup=False)
            spark = Sparkline(list(row.history))
            # A fixed width per data point keeps the time axis the same in every row.
            spark.styles.max_width = 3 * max(len(row.history), 2)
            yield spark
