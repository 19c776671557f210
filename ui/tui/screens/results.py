"""Round results from one seat's own view: what happened between the decision points, in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from sim.engine.world import World
from ui.tui.text import actor_name, escape, labels, timeline, value_text
from ui.tui.widgets.header import Header
from ui.tui.widgets.timeline import TimelineView


def changes(world: World, events: Sequence[Mapping[str, Any]]) -> list[str]:
    """``Label: old → new`` for every value that changed in these events, in first-seen order."""
    first: dict[str, float | bool] = {}
    last: dict[str, float | bool] = {}
    for e in events:
        if e["type"] != "effect":
            continue
        name, value = e["name"], e["value"]
        if name not in first:
            first[name] = value if isinstance(value, bool) else value - e["delta"]
        last[name] = value
    label = labels(world)
    return [
        f"  {label.get(n, n)}: {value_text(world, n, first[n])} → {value_text(world, n, last[n])}"
        for n in first
        if value_text(world, n, first[n]) != value_text(world, n, last[n])
    ]


class ResultsScreen(Screen[None]):
    """The last round as this seat saw it; Enter continues."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "done", "Continue", priority=True)]

    @dataclass
    class Done(Message):
        """The seat has read its results."""

        actor: str | None

    def __init__(
        self,
        world: World,
        actor: str | None,
        round_no: int,
        events: Sequence[Mapping[str, Any]],
        seen: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__()
        self.world = world
        self.actor = actor
        self.round_no = round_no
        self.events = list(events)
        self.seen = list(seen) or self.events
        self.sub_title = f"{actor_name(world, actor)} · results of round {round_no}"

    def compose(self) -> ComposeResult:
        yield Header()
        summary = changes(self.world, self.events)
        with VerticalScroll():
            yield Static(
                f"[b]What {escape(actor_name(self.world, self.actor))} learned in "
                f"round {self.round_no}[/b], in order:\n"
            )
            yield TimelineView(
                timeline(self.world, self.events, self.actor, self.seen),
                empty="  Nothing you could see.",
                id="results-timeline",
            )
            if summary:
                yield Static(
                    "\n[b]Changes you can see[/b]:\n" + escape("\n".join(summary)),
                    id="results-changes",
                )
        yield Footer()

    def action_done(self) -> None:
        """Continue."""
        self.post_message(self.Done(self.actor))
