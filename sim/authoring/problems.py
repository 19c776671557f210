"""Problems found in user input, and the split between user errors and internal bugs.

A :class:`Problem` is what an instructor sees: ``path:line:col: message``, the offending source
line and a caret under the column, like GCC and rustc print. A position that is not known is 0 and
is left out of the output; a made-up line number sends people to the wrong place, which is worse
than none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sim.engine.expr import NonFinite

Severity = Literal["error", "warning"]

EXIT_OK = 0
EXIT_USER = 1
"""The input was wrong (invalid file, unknown scenario)."""
EXIT_USAGE = 2
"""The command line was wrong (click's own code for usage errors)."""
EXIT_INTERNAL = 70
"""A bug in sitroom (``EX_SOFTWARE`` from sysexits.h)."""


MAX_SHOWN = 100
"""Problems printed for one command; the rest are counted ("... and N more")."""
MAX_SOURCE_CHARS = 120
"""Characters of a source line shown under a problem; longer lines show a window."""
MAX_VALUE_CHARS = 80
"""Characters of a user's value echoed in a message; longer values are cut."""


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (escape sequences that could retitle or
    drive it) become U+FFFD; newlines and tabs stay."""
    if text.isprintable():
        return text
    return "".join(ch if ch in "\n\t" or ch.isprintable() else "\ufffd" for ch in text)


def shorten(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A user's value for a message: printable, and cut to ``limit`` characters."""
    text = printable(str(value)).replace("\n", " ")
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}\u2026 ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One problem in one file, positioned as precisely as the input allows."""

    path: str
    """The file as the user named it (or a bundled file's location)."""
    line: int
    """1-based line, or 0 when unknown."""
    col: int
    """1-based column in characters, or 0 when unknown."""
    message: str
    """What is wrong and, where possible, how to fix it; one line, no trailing period."""
    severity: Severity = "error"
    """Warnings are shown but do not make a file invalid."""
    source_line: str = ""
    """The text of ``line`` (without its newline), shown with a caret under ``col``."""

    @property
    def where(self) -> str:
        """``path:line:col`` with unknown parts left out."""
        if self.line <= 0:
            return self.path
        if self.col <= 0:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.col}"

    def format(self) -> str:
        """The problem as printed: a header line, then the source line and a caret if known."""
        label = "warning: " if self.severity == "warning" else ""
        head = printable(f"{self.where}: {label}{self.message}")
        if self.line <= 0 or not self.source_line:
            return head
        gutter = str(self.line)
        pad = " " * len(gutter)
        # Control characters could drive the terminal; one replacement character keeps columns.
        text = "".join(
            ch if ch == "\t" or ch.isprintable() else "\ufffd"
            for ch in self.source_line.rstrip("\r\n")
        )
        col = self.col
        if len(text) > MAX_SOURCE_CHARS:
            # A 100,000-character line is shown as a window around the column, not in full.
            start = max(0, min(col - 1 - MAX_SOURCE_CHARS // 2, len(text) - MAX_SOURCE_CHARS))
            end = start + MAX_SOURCE_CHARS
            lead, tail = ("\u2026" if start else ""), ("\u2026" if end < len(text) else "")
            text = lead + text[start:end] + tail
            col = col - start + len(lead) if col > 0 else 0
        out = [head, f" {gutter} | {text}"]
        if col > 0:
            out.append(f" {pad} | {_caret_prefix(text, col)}^")
        return "\n".join(out)


def _caret_prefix(text: str, col: int) -> str:
    """Whitespace that lines the caret up under ``col`` in a terminal.

    Tabs are copied so they expand the same way; wide characters (Hangul, CJK) take two cells.
    """
    cells = []
    for ch in text[: col - 1]:
        if ch == "\t":
            cells.append("\t")
        elif unicodedata.east_asian_width(ch) in "WF":
            cells.append("  ")
        else:
            cells.append(" ")
    return "".join(cells)


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any problem is an error (warnings alone leave a file valid)."""
    return any(p.severity == "error" for p in problems)


class UserError(Exception):
    """Bad input from the user: shown as a message and an exit code, never as a traceback."""

    def __init__(self, problems: Sequence[Problem] | str, exit_code: int = EXIT_USER) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            self.message = problems
        else:
            self.problems = tuple(problems)
            errors = sum(p.severity == "error" for p in self.problems)
            self.message = f"{errors} error{'s' if errors != 1 else ''}"
        self.exit_code = exit_code
        super().__init__(self.message)

    def render(self) -> str:
        """Every problem formatted, or the one-line message."""
        if not self.problems:
            return printable(f"error: {self.message}")
        lines = [p.format() for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_SHOWN:,} more")
        return "\n".join(lines)


def describe_exception(exc: BaseException) -> tuple[str, int]:
    """What to print and which exit code to use for an exception that reached the top.

    User errors print their problems; anything else is a bug in sitroom and says so plainly.
    """
    if isinstance(exc, UserError):
        return exc.render(), exc.exit_code
    if isinstance(exc, NonFinite):  # the scenario's arithmetic, not a bug in sitroom
        from sim.authoring.runtime import runtime_error

        err = runtime_error(exc)
        return err.render(), err.exit_code
    detail = shorten(str(exc).splitlines()[0], 200) if str(exc) else ""
    name = type(exc).__name__
    return (
        f"internal error: {name}{': ' + detail if detail else ''} - this is a bug in sitroom, "
        "please report it with the command you ran (SITROOM_DEBUG=1 shows the traceback)",
        EXIT_INTERNAL,
    )
