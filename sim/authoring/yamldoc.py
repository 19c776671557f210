"""A parsed YAML file: its plain data, where every key and value sits, and problems placed there.

:mod:`sim.authoring.yamlsrc` fills a :class:`Doc`; everything downstream (model errors, expression
checks, scripts) only reads one, asking where a location is to point a problem at it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from yaml.nodes import Node, ScalarNode

from sim.authoring.problems import Problem, Severity

Loc = tuple[str | int, ...]
"""A path into the document: mapping keys and sequence indexes, e.g. ``("actors", 2, "id")``."""

# Lines as editors count them. PyYAML also breaks lines at U+0085/U+2028/U+2029, which editors
# show inside a line, so positions are computed from each mark's character index instead.
_BREAKS = re.compile("\r\n|[\n\r]")
_ESCAPE_LEN = {"x": 4, "u": 6, "U": 10}  # source characters of \xXX, \uXXXX, \UXXXXXXXX


@dataclass(frozen=True)
class Span:
    """Where a node sits in the file (1-based), with what is needed to map offsets inside it."""

    line: int
    col: int
    end_line: int
    end_col: int
    style: str | None = None
    """Scalar style: None (plain), ``'``, ``"``, ``|`` or ``>``; None for collections too."""
    value: str | None = None
    """The scalar's text as loaded (for offsets into quoted strings)."""


@dataclass
class Doc:
    """A parsed file: its plain data plus the position of every key and value."""

    path: str
    text: str
    data: Any = None
    keys: dict[Loc, Span] = field(default_factory=dict)
    values: dict[Loc, Span] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    poisoned: set[Loc] = field(default_factory=set)
    """Locations already reported by the reader (bad tags): later checks stay quiet there."""
    lines: list[str] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = _BREAKS.split(self.text)
        self.line_starts = [0, *(m.end() for m in _BREAKS.finditer(self.text))]

    def linecol(self, index: int) -> tuple[int, int]:
        """1-based (line, col) of a character index into the text."""
        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def mark_pos(self, mark: yaml.Mark) -> tuple[int, int]:
        """1-based (line, col) of a PyYAML mark."""
        return self.linecol(mark.index)

    def node_span(self, node: Node) -> Span:
        """Where a node starts and ends, with a scalar's style and text."""
        (line, col), (end_line, end_col) = (
            self.mark_pos(node.start_mark),
            self.mark_pos(node.end_mark),
        )
        if isinstance(node, ScalarNode):
            # libyaml reports a plain scalar's style as "", the Python composer as None.
            return Span(line, col, end_line, end_col, node.style or None, node.value)
        return Span(line, col, end_line, end_col)

    def source_line(self, line: int) -> str:
        """Text of a 1-based line, or '' if out of range."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def span(self, loc: Loc, at: Literal["key", "value"] = "value") -> Span | None:
        """The span of ``loc`` itself, or of its nearest ancestor that has one (never invented)."""
        table = self.keys if at == "key" else self.values
        if loc in table:
            return table[loc]
        for cut in range(len(loc) - 1, -1, -1):
            if loc[:cut] in self.values:
                return self.values[loc[:cut]]
        return None

    def position(
        self, loc: Loc, at: Literal["key", "value"] = "value", offset: int | None = None
    ) -> tuple[int, int]:
        """1-based (line, col) of ``loc``; with ``offset``, of that character inside its string."""
        span = self.span(loc, at)
        if span is None:
            return 0, 0
        if offset is None or at == "key" or (loc not in self.values):
            return span.line, span.col
        return offset_position(span, self.source_line(span.line), offset)

    def problem(
        self,
        loc: Loc,
        message: str,
        *,
        at: Literal["key", "value"] = "value",
        offset: int | None = None,
        severity: Severity = "error",
    ) -> Problem:
        """A :class:`Problem` at ``loc`` in this file."""
        line, col = self.position(loc, at, offset)
        return Problem(self.path, line, col, message, severity, self.source_line(line))


def offset_position(span: Span, source_line: str, offset: int) -> tuple[int, int]:
    """(line, col) of character ``offset`` of a scalar's *stripped* text.

    Exact for plain and single-line quoted scalars; block and multi-line scalars fold or re-indent
    their text, so they point at the value's start rather than guess.
    """
    value = span.value or ""
    offset += len(value) - len(value.lstrip())  # models strip whitespace; the file does not
    if span.line != span.end_line or span.style not in (None, "'", '"'):
        return span.line, span.col
    if span.style is None:
        return span.line, span.col + min(offset, len(value))
    # Walk the quoted source, counting how many source characters each loaded character took.
    i = span.col  # 0-based index of the first character after the opening quote
    for _ in range(min(offset, len(value))):
        if i >= len(source_line):
            break
        ch = source_line[i]
        if span.style == "'" and source_line.startswith("''", i):
            i += 2
        elif span.style == '"' and ch == "\\" and i + 1 < len(source_line):
            i += _ESCAPE_LEN.get(source_line[i + 1], 2)
        else:
            i += 1
    return span.line, i + 1
