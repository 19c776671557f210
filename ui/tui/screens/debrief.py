"""End and debrief: the outcome, indicator charts, the ladder, the whole timeline (red-line
crossings included) and the computer players' rationales. Everyone is in the room, so it shows
the control view (``session.view(None)``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from sim.engine.session import Session
from sim.engine.view import View
from sim.engine.world import World
from ui.tui.history import ladder
from ui.tui.text import Entry, actor_name, escape, labels, move_name, timeline, value_text
from ui.tui.widgets.header import Header
from ui.tui.widgets.indicators import IndicatorPanel, rows_for
from ui.tui.widgets.ladder import EscalationLadder
from ui.tui.widgets.tabs import show_tab
from ui.tui.widgets.timeline import TimelineView

ReportHook = Callable[[Session], str]
"""Writes the after-action report for a session and returns where it went."""


def outcome_text(world: World, view: View) -> str:
    """The end state, what it means, final indicators and the learning objectives."""
    ended = next((e for e in reversed(view.events) if e["type"] == "ended"), None)
    sc = world.scenario
    out = []
    if ended is None:
        out.append("[b]The exercise has not ended.[/b]")
    else:
        spec = next((c for c in sc.end_conditions if c.id == ended["outcome"]), None)
        why = "the clock ran out" if ended["reason"] == "clock" else "its condition was met"
        out += [f"[b reverse] {escape(ended['title'])} [/]  ({why}, round {ended['round']})"]
        if spec is not None and spec.description:
            out.append(escape(spec.description))
    label = labels(world)
    out += ["", "[b]Final indicators[/b]"]
    for i in sc.indicators:
        # A long label wraps, its value beside its last line: nothing cut, the column kept.
        *first, last = textwrap.wrap(label[i.id], 34) or [""]
        out += [f"  {escape(line)}" for line in first]
        out.append(f"  {escape(last):<34} {value_text(world, i.id, view.values[i.id])}")
    if sc.objectives:
        out += ["", "[b]Learning objectives[/b]"]
        measures = dict(world.objectives)
        for obj in sc.objectives:
            measure = measures.get(obj.id)
            mark = (
                "  "
                if measure is None
                else "[green]✓[/] "
                if measure(view.values)
                else "[red]✗[/] "
            )
            out.append(f"  {mark}{escape(obj.text)}")
    return "\n".join(out)


def rationales(world: World, view: View) -> list[Entry]:
    """Every computer move with the one-line reason its policy gave, by round."""
    out: list[Entry] = []
    last = None
    for e in view.events:
        if e["type"] == "move" and e["by"] == "computer":
            target = f" → {actor_name(world, e['target'])}" if e.get("target") else ""
            why = e.get("rationale") or "(no rationale recorded)"
            who = escape(actor_name(world, e["actor"]))
            stamp = f"round {e['round']}" if e["round"] != last else ""
            last = e["round"]
            out.append(
                (
                    stamp,
                    f"[b]{who}[/b]: {escape(move_name(world, e['move']) + target)}"
                    f"\n[i]{escape(why)}[/i]",
                )
            )
    return out


class DebriefScreen(Screen[None]):
    """The end of the exercise."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "report", "Write report"),
        Binding("q", "app.quit", "Quit"),
        *[
            Binding(str(i), f"tab('{t}')", t.title(), show=False)
            for i, t in enumerate(("outcome", "charts", "ladder", "timeline", "rationales"), 1)
        ],
    ]

    def __init__(self, session: Session, report: ReportHook | None = None) -> None:
        super().__init__()
        self.session = session
        self.report = report
        self.sub_title = "Debrief"

    def compose(self) -> ComposeResult:
        world, view = self.session.world, self.session.view(None)
        events = view.events
        yield Header()
        with TabbedContent(initial="outcome"):
            with TabPane("1 Outcome", id="outcome"), VerticalScroll():
                yield Static(outcome_text(world, view), id="outcome-text")
            with TabPane("2 Charts", id="charts"):
                yield IndicatorPanel(rows_for(world, None, events))
            with TabPane("3 Ladder", id="ladder"), VerticalScroll():
                yield EscalationLadder(world, ladder(events, world.actors, view.rounds), 0)
            with TabPane("4 Timeline", id="timeline"), VerticalScroll():
                yield TimelineView(timeline(world, events, None, rounds=True))
            with TabPane("5 Rationales", id="rationales"), VerticalScroll():
                yield TimelineView(rationales(world, view), empty="The computer made no moves.")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The report key exists only when a report writer is installed."""
        return self.report is not None if action == "report" else True

    def action_tab(self, tab: str) -> None:
        """Show one tab."""
        show_tab(self.query_one(TabbedContent), tab)

    @work(thread=True, exclusive=True, group="report")
    def action_report(self) -> None:
        """Write the after-action report off the UI thread."""
        if self.report is None:
            return
        where = self.report(self.session)
        self.app.call_from_thread(self.notify, f"Report written to {where}")
