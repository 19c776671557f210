"""A list of timed events with hanging indents: the stamp in a column, wrapped text beside it.

One widget however long the log, wrapped to the current width on every render, so a long inject
text stays under its headline instead of running back to the left edge.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from ui.tui.text import Entry

STAMP = 12
"""Width of the time stamp column."""
HANG = 2
"""Extra indent of continuation lines under their event."""


_LAID: dict[tuple[int, str, str], list[Content]] = {}
"""Display lines of one entry at one width: a screen rebuilt every turn, or a log redrawn every
round, lays out only the entries it has not shown before (entries never change once made)."""
_LAID_MAX = 50_000


def layout(entries: Sequence[Entry], width: int) -> list[Content]:
    """The entries as display lines for ``width`` cells."""
    out: list[Content] = []
    for stamp, markup in entries:
        key = (width, stamp, markup)
        lines = _LAID.get(key)
        if lines is None:
            if len(_LAID) >= _LAID_MAX:  # a bound on memory for long-lived processes
                _LAID.clear()
            lines = _LAID[key] = _layout_one(stamp, markup, width)
        out.extend(lines)
    return out


def _layout_one(stamp: str, markup: str, width: int) -> list[Content]:
    text_width = max(width - STAMP - 1, 10)
    pad = Content(" " * (STAMP + 1 + HANG))
    out: list[Content] = []
    first = True
    for part in markup.split("\n"):
        room = text_width if first else text_width - HANG
        for line in Content.from_markup(part).wrap(room) or [Content("")]:
            if first:
                out.append(Content.styled(f"{stamp:>{STAMP}} ", "dim") + line)
                first = False
            else:
                out.append(pad + line)
    return out


class TimelineView(Widget):
    """Timed entries (see :func:`ui.tui.text.timeline`)."""

    DEFAULT_CSS = """
    TimelineView { height: auto; }
    """

    def __init__(
        self,
        entries: Sequence[Entry] = (),
        *,
        empty: str = "Nothing yet.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.entries = list(entries)
        self.empty = empty
        self._cache: tuple[int, list[Content]] | None = None

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Show these entries instead."""
        self.entries = list(entries)
        self._cache = None
        self.refresh(layout=True)

    def _lines(self, width: int) -> list[Content]:
        if self._cache is None or self._cache[0] != width:
            self._cache = (width, layout(self.entries, width))
        return self._cache[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(len(self._lines(width)), 1)

    def render(self) -> Content:
        lines = self._lines(self.size.width)
        return Content("\n").join(lines) if lines else Content(self.empty)

    @property
    def plain(self) -> str:
        """All entries as plain text (stamps included), for tests and copying."""
        return "\n".join(line.plain for line in layout(self.entries, 200))
