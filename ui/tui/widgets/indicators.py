"""Indicators with their history as sparklines, as one seat has seen them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Sparkline, Static

from sim.engine.world import World
from ui.tui.history import KeptHistories, histories
from ui.tui.text import PLACES, labels, number, precisions, signed


@dataclass(frozen=True, slots=True)
class Row:
    """One charted value."""

    name: str
    label: str
    history: tuple[float, ...]
    places: int = PLACES
    """Decimal places shown (the indicator's declared precision)."""

    @property
    def value(self) -> str:
        """The latest value, for display."""
        return number(self.history[-1], self.places) if self.history else "?"

    @property
    def change(self) -> str:
        """Change over the last step, e.g. ``+5``; empty when unchanged (at this precision)."""
        if len(self.history) < 2:
            return ""
        delta = signed(self.history[-1] - self.history[-2], self.places)
        return "" if delta == "0" else delta


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
    return _rows(world, names, histories(world, actor, events, names))


def feed_rows(world: World, actor: str | None, events: Sequence[Mapping[str, Any]]) -> list[Row]:
    """:func:`rows_for` of a seat's feed (``View.events``), folded only over the events added
    since the last redraw (kept with the world: screens are rebuilt every turn)."""
    key = ("tui-histories", actor)
    kept: KeptHistories | None = world.memo.get(key)
    if kept is None:
        kept = world.memo[key] = KeptHistories(world, actor, chart_names(world, actor))
    return _rows(world, kept.names, kept.update(events))


def _rows(world: World, names: Sequence[str], hist: Mapping[str, Sequence[float]]) -> list[Row]:
    label = labels(world)
    places = precisions(world)
    return [
        Row(n, label.get(n, n), tuple(hist[n]), places.get(n, PLACES)) for n in names if n in hist
    ]


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
        # As wide as the longest label, within the cap: no label is cut while its row has room.
        w = min(self.label_width, max((len(r.label) for r in self.rows), default=0))
        points = max((len(r.history) for r in self.rows), default=2)
        for row in self.rows:
            cut = len(row.label) > w
            label = row.label[: w - 1] + "…" if cut else row.label
            text = Label(f"{label:<{w}} {row.value:>6} {row.change:>5}", markup=False)
            if cut:
                text.tooltip = row.label
            yield text
            spark = Sparkline(list(row.history))
            # A fixed width per data point keeps the time axis the same in every row; at least
            # a dozen cells, so a short history still draws a readable line.
            spark.styles.max_width = max(3 * points, 12)
            yield spark
