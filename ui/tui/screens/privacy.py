"""The privacy screen between hotseat turns: nothing of the last seat stays on the screen.

The app *switches* to this screen (it does not push it over the last seat's screen), so the
previous seat's widgets are gone from the DOM, not merely hidden behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label

from ui.tui.game import Step
from ui.tui.text import printable


class PrivacyScreen(Screen[None]):
    """ "Pass to the China team, press Enter"."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "ready", "Continue", priority=True)]

    @dataclass
    class Ready(Message):
        """The named seat is at the keyboard."""

        step: Step

    def __init__(self, step: Step, who: str, what: str) -> None:
        super().__init__()
        self.step = step
        self.who = who
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="privacy-box"):
            yield Label(printable(f"Pass to the {self.who}"), id="privacy-who", markup=False)
            yield Label(printable(self.what), id="privacy-what", markup=False)
            yield Label("Press [b]Enter[/b] when only they can see the screen", id="privacy-key")
        yield Footer()

    def action_ready(self) -> None:
        """Hand over to the seat."""
        self.post_message(self.Ready(self.step))
