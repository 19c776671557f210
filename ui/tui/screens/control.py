"""The control seat: every submission, the adjudication before it is committed (moves that would
breach an agreement in force marked), overrides, ad hoc injects, pause, the escalation ladder, and
closing the round.

Control sees everything, but only through the session's API: its omniscient view
(``session.view(None)``), ``preview()``, ``submitted()``, ``waiting_for()`` and ``warnings()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.markup import escape
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static, TabbedContent, TabPane

from sim.engine.session import IllegalInput, Ruling
from sim.engine.view import View
from sim.models import Orders
from sim.models.script import MoveOrder
from ui.tui.game import Game
from ui.tui.history import ladder
from ui.tui.screens.dialogs import (
    ConfirmDialog,
    InjectChoice,
    InjectDialog,
    OverrideChoice,
    OverrideDialog,
)
from ui.tui.screens.seat import seat_heading
from ui.tui.text import Entry, actor_list, actor_name, move_name, plural, timeline
from ui.tui.widgets.indicators import Row, rows_for
from ui.tui.widgets.ladder import ladder_markup
from ui.tui.widgets.live import LiveIndicators, LiveText, LiveTimeline
from ui.tui.widgets.tabs import show_tab

PREVIEW_COLUMNS = ("Actor", "Move", "Target", "Chance", "Roll", "Outcome", "Detected by", "Note")


class ControlScreen(Screen[None]):
    """The facilitator's seat; sees everything (``view(None)``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "close_round", "Close round"),
        Binding("o", "override", "Override"),
        Binding("i", "inject", "Inject"),
        Binding("p", "pause", "Pause/resume"),
        Binding("1", "tab('round')", "Round", show=False),
        Binding("2", "tab('indicators')", "Indicators", show=False),
        Binding("3", "tab('ladder')", "Ladder", show=False),
        Binding("4", "tab('log')", "Log", show=False),
    ]

    @dataclass
    class Closed(Message):
        """Control closed the round."""

    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game
        self.session = game.session
        self.rulings: list[Ruling] = []
        self.breaches: dict[str, list[str]] = {}
        """Move id to the agreements its ruling would breach, in words."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="main"):
            with TabbedContent(initial="round"):
                with TabPane("1 Round", id="round"), Vertical():
                    yield Label("", id="control-status")
                    with VerticalScroll(id="submissions-scroll"):
                        yield Static("", id="submissions")
                    yield Label(
                        "[b]Adjudication preview[/b] [dim]not committed until the "
                        "round closes[/dim]"
                    )
                    yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
                    yield Label("", id="breaches", classes="warning")
                # Tabs not shown first are mounted just after the first paint.
                with TabPane("2 Indicators", id="indicators"):
                    yield Lazy(LiveIndicators(self._rows))
                with TabPane("3 Ladder", id="ladder"), VerticalScroll():
                    yield Lazy(LiveText(self._ladder))
                with TabPane("4 Log", id="log"), VerticalScroll():
                    yield Lazy(LiveTimeline(self._log))
            # Wide terminals keep the ladder in view beside the tabs (see sitroom.tcss).
            with Vertical(classes="side"):
                yield Label("[b]Escalation ladder[/b]", classes="side-title")
                yield Lazy(LiveText(self._ladder))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#preview", DataTable).add_columns(*PREVIEW_COLUMNS)
        self.refresh_all()
        self.query_one("#preview").focus()

    # -- content -------------------------------------------------------------------------------
    def _view(self) -> View:
        return self.session.view(None)

    def _rows(self) -> list[Row]:
        return rows_for(self.session.world, None, self._view().events)

    def _ladder(self) -> str:
        view, world = self._view(), self.session.world
        rows = ladder(view.events, world.actors, view.rounds)
        return ladder_markup(world, rows, view.round)

    def _log(self) -> list[Entry]:
        return timeline(self.session.world, self._view().events, None, rounds=True)

    def refresh_all(self) -> None:
        """Re-read everything from the session (after an override, inject or pause)."""
        view = self._view()
        self.sub_title = seat_heading(self.session.world, view)
        paused = "   [b reverse] PAUSED [/]  (p resumes)" if view.paused else ""
        self.query_one("#control-status", Label).update(
            f"Round {view.round} of {view.rounds}{paused}"
        )
        self.query_one("#submissions", Static).update(self._submissions())
        self._fill_preview()
        for live in self.query(LiveText):
            live.reload()
        for panel in self.query(LiveIndicators):
            panel.reload()
        for log in self.query(LiveTimeline):
            log.reload()

    def _submissions(self) -> str:
        s, world = self.session, self.session.world
        out = ["[b]Submissions[/b]"]
        for actor in world.actors:
            name = escape(actor_name(world, actor))
            seat = s.seats[actor]
            if seat == "computer":
                out.append(f"  {name} (computer): decides from its own view; moves below")
                continue
            orders = s.submitted(actor)
            if orders is None:
                out.append(f"  {name} ({seat}): [b]not submitted[/b]")
                continue
            out.append(
                f"  {name} ({seat}): {plural(len(orders.moves), 'move')}, "
                f"{plural(len(orders.messages), 'message')}, "
                f"{plural(len(orders.answers), 'answer')}"
            )
            for msg in orders.messages:
                out.append(f"    ✉ to {escape(actor_list(world, msg.to))}: {escape(msg.text)}")
            for ans in orders.answers:
                out.append(f"    {'accepts' if ans.accept else 'rejects'} {ans.proposal}")
        return "\n".join(out)

    def _fill_preview(self) -> None:
        world = self.session.world
        table = self.query_one("#preview", DataTable)
        row = table.cursor_row
        table.clear()
        self.rulings = self.session.preview()
        # The kernel rules on breaches when the round closes; the same rule, asked now.
        self.breaches = {
            r.mid: w
            for r in self.rulings
            if (
                w := self.session.warnings(
                    r.actor, Orders(moves=[MoveOrder(move=r.move, target=r.target)])
                )
            )
        }
        for r in self.rulings:
            note = r.override_note or ""
            if r.mid in self.breaches:
                note = f"⚠ breach {note}".rstrip()
            table.add_row(
                actor_name(world, r.actor),
                move_name(world, r.move),
                actor_name(world, r.target) if r.target else "",
                f"{r.chance:.0%}",
                f"{r.roll:.2f}",
                r.outcome,
                actor_list(world, r.detected_by) if r.detected_by else "",
                note,
                key=r.mid,
            )
        if self.rulings:
            table.move_cursor(row=min(row, len(self.rulings) - 1))
        label = self.query_one("#breaches", Label)
        label.update(
            "\n".join(
                f"⚠ {escape(actor_name(world, r.actor))}: {escape(w)}"
                for r in self.rulings
                for w in self.breaches.get(r.mid, ())
            )
        )
        label.display = bool(self.breaches)

    # -- actions -------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        """Show one tab."""
        show_tab(self.query_one(TabbedContent), tab)

    def action_override(self) -> None:
        """Force the outcome of the highlighted move."""
        table = self.query_one("#preview", DataTable)
        if not self.rulings:
            self.notify("No moves this round to override.")
            return
        ruling = self.rulings[table.cursor_row]
        label = (
            f"{actor_name(self.session.world, ruling.actor)}: "
            f"{move_name(self.session.world, ruling.move)} ({ruling.mid})"
        )

        def chosen(choice: OverrideChoice | None) -> None:
            if choice is None:
                return
            try:
                self.session.override(ruling.mid, choice.outcome, choice.note)
            except IllegalInput as exc:
                self.notify("; ".join(exc.problems), severity="error")
            self.refresh_all()

        self.app.push_screen(OverrideDialog(label, ruling.outcome), chosen)

    def action_inject(self) -> None:
        """Type an ad hoc inject."""
        world = self.session.world

        def typed(choice: InjectChoice | None) -> None:
            if choice is None:
                return
            try:
                self.session.inject(choice.title, choice.text, choice.audience)
            except IllegalInput as exc:
                self.notify("; ".join(exc.problems), severity="error")
            self.refresh_all()

        self.app.push_screen(InjectDialog([(a, actor_name(world, a)) for a in world.actors]), typed)

    def action_pause(self) -> None:
        """Pause or resume the exercise."""
        if self._view().paused:
            self.session.resume()
        else:
            self.session.pause()
        self.refresh_all()

    def action_close_round(self) -> None:
        """Confirm, then close the round (commit every order and run to the next decision)."""
        s, view = self.session, self._view()
        if view.paused:
            self.notify("The exercise is paused: press p to resume first.", severity="warning")
            return
        waiting = [actor_name(s.world, a) for a in s.waiting_for()]
        detail = (
            f"Not submitted (they pass): {', '.join(waiting)}"
            if waiting
            else "Every seat has submitted."
        )

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                self.game.close_round()
            except IllegalInput as exc:
                self.notify("; ".join(exc.problems), severity="error")
                return
            self.post_message(self.Closed())

        self.app.push_screen(
            ConfirmDialog(
                f"Close round {view.round} and run the next "
                f"{s.world.scenario.clock.round_hours:g} hours?",
                detail,
            ),
            confirmed,
        )

    @on(TabbedContent.TabActivated)
    def _focus_tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "round":
            self.query_one("#preview").focus()
