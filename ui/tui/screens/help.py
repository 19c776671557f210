"""The help screen: how a session flows, and every key of the screen it was opened from."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static

from ui.tui.text import escape

FLOW = (
    "[b]How a round goes[/b]\n"
    "Each human seat in turn: a privacy screen asks to pass the keyboard, then the seat reads "
    "its results of the last round and its situation, and writes its orders (moves, messages, "
    "answers to proposals). Then control sees every submission and the adjudication before it "
    "is committed, may override outcomes, inject news or pause, and closes the round. The "
    "engine runs the hours to the next decision point. At the end everyone meets for the "
    "debrief.\n\n"
    "[b]Everywhere[/b]\n"
    "  ?  or  F1     this help\n"
    "  Ctrl+P        command palette (this screen's actions, searchable)\n"
    "  Tab           next control;  Esc closes a dialog\n"
    "  Ctrl+Q        quit (asks first while an exercise is running)\n"
)


def ours(active: ActiveBinding) -> bool:
    """Whether sitroom declared this binding (not Textual's cursor, focus or copy keys)."""
    return type(active.node).__module__.startswith("ui.") and active.binding in getattr(
        type(active.node), "BINDINGS", ()
    )


def key_lines(screen: Screen[object]) -> list[str]:
    """``key   description`` for every sitroom binding active on ``screen``."""
    seen = set()
    lines = []
    for active in screen.active_bindings.values():
        b = active.binding
        if not b.description or (b.action, b.description) in seen or not ours(active):
            continue
        seen.add((b.action, b.description))
        lines.append(
            f"  {escape(screen.app.get_key_display(b)):<12}  {escape(b.description)}"
            + ("" if active.enabled else "  [dim](not now)[/dim]")
        )
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
                yield Static("[b]Keys on this screen[/b]\n" + "\n".join(self.lines) + "\n\n" + FLOW)
        yield Footer()
