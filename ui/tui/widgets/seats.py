"""Lists whose rows switch between two states with Space or Enter: seats (human/computer),
recipients, audiences.

Spelled out in words rather than checkboxes, so the choice reads the same in any colour scheme
(and in a monochrome screenshot).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sim.engine.events import Seat
from ui.tui.text import escape


class ToggleList(OptionList):
    """Rows of (key, label), each on or off."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "switch", "Switch")]

    def __init__(self, on: str, off: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.on, self.off = on, off
        width = max(len(on), len(off))
        self._marks = (f"[b]{escape(on):<{width}}[/b]", f"[dim]{escape(off):<{width}}[/dim]")
        self.names: dict[str, str] = {}
        self.switched: dict[str, bool] = {}

    def set_rows(self, names: Mapping[str, str], on: Iterable[str] = ()) -> None:
        """Show these rows (key to label), the keys in ``on`` switched on."""
        chosen = set(on)
        self.names = dict(names)
        self.switched = {k: k in chosen for k in self.names}
        self.set_options([self._option(k) for k in self.names])
        if self.names:
            self.highlighted = 0

    def _option(self, key: str) -> Option:
        mark = self._marks[0] if self.switched[key] else self._marks[1]
        return Option(f"{mark} {escape(self.names[key])}", id=key)

    @property
    def chosen(self) -> list[str]:
        """Keys switched on, in row order."""
        return [k for k, v in self.switched.items() if v]

    def action_switch(self) -> None:
        """Switch the highlighted row."""
        if self.highlighted is None:
            return
        key = self.get_option_at_index(self.highlighted).id
        assert key is not None
        self.switched[key] = not self.switched[key]
        self.replace_option_prompt(key, self._option(key).prompt)

    def action_select(self) -> None:
        """Enter switches too."""
        self.action_switch()


class SeatList(ToggleList):
    """Actors and who plays them."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("human", "computer", id=id)

    @property
    def seats(self) -> dict[str, Seat]:
        """Actor to seat."""
        return {a: "human" if on else "computer" for a, on in self.switched.items()}
