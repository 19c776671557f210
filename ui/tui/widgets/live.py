"""Widgets that draw from a source function, so they can be mounted lazily and still be current.

A tab that is not shown first is wrapped in ``Lazy`` (mounted just after the first paint, which
keeps turns fast). Such a widget may be mounted after the screen last refreshed its content, so
it reads its content when it mounts, and again on ``reload()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.widgets import Static

from ui.tui.text import Entry
from ui.tui.widgets.indicators import IndicatorPanel, Row
from ui.tui.widgets.timeline import TimelineView


class LiveText(Static):
    """Markup from ``source()``."""

    def __init__(
        self, source: Callable[[], str], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__("", id=id, classes=classes)
        self.source = source

    def on_mount(self) -> None:
        # Not reload(): ``is_mounted`` is still False while the mount handlers run.
        self.update(self.source())

    def reload(self) -> None:
        """Redraw from the source (a no-op until mounted: mounting draws)."""
        if self.is_mounted:
            self.update(self.source())


class LiveIndicators(IndicatorPanel):
    """An indicator panel whose rows come from ``source()``."""

    def __init__(self, source: Callable[[], Sequence[Row]], *, id: str | None = None) -> None:
        super().__init__(source(), id=id)
        self.source = source

    def reload(self) -> None:
        """Recompute the rows and rebuild (only once mounted)."""
        if self.is_mounted:
            self.rows = list(self.source())
            self.refresh(recompose=True)


class LiveTimeline(TimelineView):
    """A timeline whose entries come from ``source()``."""

    def __init__(self, source: Callable[[], Sequence[Entry]], *, id: str | None = None) -> None:
        super().__init__(source(), id=id)
        self.source = source

    def reload(self) -> None:
        """Recompute the entries (only once mounted)."""
        if self.is_mounted:
            self.set_entries(self.source())
