"""The help screen: how a session flows, and every key of the screen it was opened from."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static

FLOW = """\
[b]How a round goes[/b]
Each human seat in turn: a privacy screen asks to pass the keyboard, then the seat reads its
results of the last round and its situation, and writes its orders (moves, messages, answers
to proposals). Then control sees every submission and the adjudication before it is committed,
may override outcomes, inject news or pause, and closes the round. The engine runs the hours
to the next decision point. At the end everyone meets for the debrief.

[b]Everywhere[/b]
  ?  or  F1     this help
  Ctrl+P        command palette (every action of the current screen, searchable)
  Tab           next control;  Esc closes a dialog
  Ctrl+Q        quit
"""


def key_lines(screen: Screen[object]) -> list[str]:
    """``key   description`` for every binding active on ``screen``, footer keys first."""
    seen = set()
    lines = []
    for active in screen.active_bindings.values():
        b = active.binding
        if not b.description or (b.action, b.description) in seen:
            continue
        seen.add((b.action, b.description))
        lines.append(f"  {escape(screen.app.get_key_display(b)):<12}  {escape(b.description)}"
                     + ("" if active.enabled else "  [dim](not now)[/dim]"))
    return lines


class HelpScreen(ModalScreen[None]):
    """Keys and flow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__(classes="dialog")
        self.lines = key_lines(under)
        self.title_text = f"Help — {type(under).__name__.removesuffix('Screen').lower()} screen"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll():
                yield Static("[b]Keys on this screen[/b]\n" + "\n".join(self.lines)
                             + "\n\n" + FLOW)
        yield Footer()
