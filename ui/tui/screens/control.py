"""The control seat: every submission, the adjudication before it is committed (moves that would
breach an agreement in force marked), overrides, ad hoc injects, pause, the escalation ladder, and
closing the round.

Control sees everything, but only through the session's API: its omniscient view
(``session.view(None)``), ``preview()``, ``submitted()``, ``waiting_for()`` and ``warnings()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static, TabbedContent, TabPane

from sim.engine.events import Outcome
from sim.engine.nearend import near_ends
from sim.engine.session import IllegalInput, Ruling
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import MoveOrder
from ui.tui.game import Game
from ui.tui.history import feed_ladder
from ui.tui.screens.dialogs import (
    ConfirmDialog,
    InjectChoice,
    InjectDialog,
    OverrideChoice,
    OverrideDialog,
)
from ui.tui.screens.seat import seat_heading
from ui.tui.text import (
    WIDE,
    Entry,
    actor_list,
    actor_name,
    escape,
    feed_timeline,
    move_name,
    plural,
    printable,
    recent_entries,
)
from ui.tui.widgets.header import Header
from ui.tui.widgets.indicators import Row, feed_rows
from ui.tui.widgets.ladder import ladder_markup
from ui.tui.widgets.live import LiveIndicators, LiveText, LiveTimeline
from ui.tui.widgets.roundclock import run_clock
from ui.tui.widgets.tabs import show_tab

PREVIEW_COLUMNS = ("Actor", "Move → target", "Chance", "Roll", "Outcome", "Note")
FIXED = {"Chance": 6, "Roll": 4, "Outcome": 10}
"""Widths of the columns that never shrink; actor, move and note share the rest."""
OVERRIDDEN = "✎"
"""Marks an outcome control forced."""


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis (the details line shows it whole)."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def dice(ruling: Ruling) -> Outcome:
    """What the dice said, whatever control forced: success when the roll is under the chance
    (the engine's rule, :func:`sim.engine.adjudicate.rule`)."""
    return "success" if ruling.roll < ruling.chance else "failure"


def ruling_text(world: World, r: Ruling, breaches: list[str]) -> str:
    """One ruling in full, for the line under the table and the override dialog."""
    target = f" → {actor_name(world, r.target)}" if r.target else ""
    parts = [
        f"{actor_name(world, r.actor)}: {move_name(world, r.move)}{target}",
        f"roll {r.roll:.2f} against a chance of {r.chance:.0%}: the dice say {dice(r)}",
    ]
    if r.override_note is not None:
        note = f" ({r.override_note})" if r.override_note else ""
        parts.append(f"{OVERRIDDEN} overridden by control to {r.outcome}{note}")
    if r.detected_by:
        parts.append(f"detected by {actor_list(world, r.detected_by)}")
    parts += [f"⚠ {w}" for w in breaches]
    return " · ".join(parts)


def preview_widths(width: int) -> tuple[int, ...]:
    """Preview column widths that fit a table ``width`` cells wide: actor, move and note share
    what the fixed columns leave (each cell has one cell of padding on either side)."""
    room = max(width - 2 * len(PREVIEW_COLUMNS) - sum(FIXED.values()) - 1, 18)
    actor = min(10, room // 6)
    note = max(room // 4, 4)
    move = max(room - actor - note, 8)
    return (actor, move, FIXED["Chance"], FIXED["Roll"], FIXED["Outcome"], note)


def preview_cells(
    world: World, r: Ruling, breaches: list[str], widths: tuple[int, ...]
) -> tuple[str, ...]:
    """One row of the adjudication preview (hotseat and networked control share it)."""
    notes = []
    if breaches:
        notes.append("⚠ breach")
    if r.override_note is not None:
        notes.append(f"{OVERRIDDEN} {r.override_note}".rstrip())
    if r.detected_by:
        notes.append(f"seen by {actor_list(world, r.detected_by)}")
    target = f" → {actor_name(world, r.target)}" if r.target else ""
    mark = f" {OVERRIDDEN}" if r.override_note is not None else ""
    return (  # DataTable reads a str cell as markup
        escape(fit(actor_name(world, r.actor), widths[0])),
        escape(fit(move_name(world, r.move) + target, widths[1])),
        f"{r.chance:.0%}",
        f"{r.roll:.2f}",
        f"{r.outcome}{mark}",
        escape(fit(printable("; ".join(notes)), widths[-1])),
    )


def fill_preview(
    screen: Screen[Any],
    world: World,
    rulings: list[Ruling],
    breaches: Mapping[str, list[str]],
    widths: tuple[int, ...],
    shown: tuple[int, ...],
) -> tuple[int, ...]:
    """Fill ``screen``'s ``#preview`` table, its ``#breaches`` label and the ``#ruling`` line
    (hotseat and networked control share it); columns are rebuilt only when ``widths`` differ
    from the ``shown`` ones. Returns the widths now shown."""
    table = screen.query_one("#preview", DataTable)
    row = table.cursor_row
    if widths != shown:
        table.clear(columns=True)
        for name, width in zip(PREVIEW_COLUMNS, widths, strict=True):
            table.add_column(name, width=width)
    table.clear()
    for r in rulings:
        table.add_row(*preview_cells(world, r, breaches.get(r.mid, []), widths), key=r.mid)
    if rulings:
        table.move_cursor(row=min(row, len(rulings) - 1))
    show_ruling(screen, world, rulings, breaches)
    label = screen.query_one("#breaches", Label)
    label.update(
        "\n".join(
            f"⚠ {escape(actor_name(world, r.actor))}: {escape(w)}"
            for r in rulings
            for w in breaches.get(r.mid, ())
        )
    )
    label.display = bool(breaches)
    return widths


def show_ruling(
    screen: Screen[Any], world: World, rulings: list[Ruling], breaches: Mapping[str, list[str]]
) -> None:
    """The highlighted ruling in full in ``#ruling``, under the table (cells are cut to fit)."""
    label = screen.query_one("#ruling", Static)
    table = screen.query_one("#preview", DataTable)
    if not rulings or not 0 <= table.cursor_row < len(rulings):
        label.update("")
        return
    r = rulings[table.cursor_row]
    text = ruling_text(world, r, breaches.get(r.mid, []))
    label.update(escape(text))
    table.tooltip = escape(text)


def near_end_text(world: World, view: View) -> str:
    """Control's warning of the end conditions one step away, or empty (plain text)."""
    out = []
    try:
        nears = near_ends(world, view.values, view.round, view.rounds)
    except (ArithmeticError, ValueError):  # a condition no number can answer (round(x, nan))
        return (
            "⚠ An end condition cannot be computed on the current values: the exercise will "
            "stop with its position when it is next read."
        )
    for near in nears:
        if not near.immediate:
            out.append(f"⚠ Last round: closing it ends the exercise with {printable(near.title)}.")
            continue
        movers = [
            f"{actor_name(world, a)}: {move_name(world, m)}"
            + (f" → {actor_name(world, t)}" if t else "")
            for a, m, t in near.by
        ]
        more = f" and {len(movers) - 3} more" if len(movers) > 3 else ""
        out.append(
            f"⚠ One step from the end “{printable(near.title)}”: one move would meet it "
            f"(e.g. {'; '.join(movers[:3])}{more})."
        )
    return "\n".join(out)


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
                    yield Label("", id="near-end", classes="warning")
                    with VerticalScroll(id="submissions-scroll"):
                        yield Static("", id="submissions")
                    yield Label(
                        "[b]Adjudication preview[/b] [dim]not committed until the "
                        "round closes[/dim]"
                    )
                    yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="ruling")
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
        self._widths: tuple[int, ...] = ()
        self.refresh_all()
        self.call_after_refresh(self._fill_preview)
        self.query_one("#preview").focus()
        run_clock(self, self.sub_title, self.game.time_left)

    def on_resize(self) -> None:
        # After the layout, so the table's own width (beside a side panel or not) is known.
        self.call_after_refresh(self._fill_preview)

    # -- content -------------------------------------------------------------------------------
    def _view(self) -> View:
        return self.session.view(None)

    def _rows(self) -> list[Row]:
        return feed_rows(self.session.world, None, self._view().events)

    def _ladder(self) -> str:
        view, world = self._view(), self.session.world
        rows = feed_ladder(world, view.events, view.rounds)
        return ladder_markup(world, rows, view.round)

    def _log(self) -> list[Entry]:
        world = self.session.world
        return recent_entries(feed_timeline(world, self._view().events, None, rounds=True))

    def refresh_all(self) -> None:
        """Re-read everything from the session (after an override, inject or pause)."""
        view = self._view()
        self.sub_title = seat_heading(self.session.world, view)
        paused = "   [b reverse] PAUSED [/]  (p resumes)" if view.paused else ""
        self.query_one("#control-status", Label).update(
            f"Round {view.round} of {view.rounds}{paused}"
        )
        near = self.query_one("#near-end", Label)
        near.update(escape(near_end_text(self.session.world, view)))
        near.display = bool(near.content)
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
        view = self._view()
        # Messages delivered when written (hotseat, networked): not part of any orders.
        delivered: dict[str, list[Mapping[str, Any]]] = {}
        for e in view.events:
            if e["type"] == "message" and e["round"] == view.round and e["by"] != "computer":
                delivered.setdefault(e["sender"], []).append(e)
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
            else:
                out.append(
                    f"  {name} ({seat}): {plural(len(orders.moves), 'move')}, "
                    f"{plural(len(orders.messages), 'message')}, "
                    f"{plural(len(orders.answers), 'answer')}"
                )
            for e in delivered.get(actor, ()):
                to = e["to"] if e["to"] == "public" else list(e["to"])
                offer = f" [proposal “{escape(e['proposal']['title'])}”]" if e["proposal"] else ""
                out.append(
                    f"    ✉ delivered to {escape(actor_list(world, to))}: "
                    f"{escape(e['text'])}{offer}"
                )
            if orders is None:
                continue
            for msg in orders.messages:
                out.append(f"    ✉ to {escape(actor_list(world, msg.to))}: {escape(msg.text)}")
            for ans in orders.answers:
                out.append(
                    f"    {'accepts' if ans.accept else 'rejects'} "
                    f"{escape(self._proposal_title(ans.proposal))}"
                )
        return "\n".join(out)

    def _proposal_title(self, pid: str) -> str:
        titles = {p.id: p.title for p in self._view().proposals}
        return f"proposal “{titles[pid]}”" if pid in titles else f"proposal {pid}"

    def _columns(self, table: DataTable[str]) -> tuple[int, ...]:
        """Column widths that fit the table's width."""
        # Before the first layout the table has no size: guess from the terminal, less the
        # side panel wide terminals show (sitroom.tcss), so the first paint is not cut.
        side = 48 if self.app.size.width >= WIDE else 0
        return preview_widths(table.size.width or self.app.size.width - 2 - side)

    def _fill_preview(self) -> None:
        table = self.query_one("#preview", DataTable)
        rulings = self.session.preview()
        # The kernel rules on breaches when the round closes; the same rule, asked now.
        self.breaches = {
            r.mid: w
            for r in rulings
            if (
                w := self.session.warnings(
                    r.actor, Orders(moves=[MoveOrder(move=r.move, target=r.target)])
                )
            )
        }
        self.rulings = rulings
        self._widths = fill_preview(
            self, self.session.world, rulings, self.breaches, self._columns(table), self._widths
        )

    @on(DataTable.RowHighlighted, "#preview")
    def _show_ruling(self) -> None:
        """The highlighted ruling in full under the table (cells are cut to fit)."""
        show_ruling(self, self.session.world, self.rulings, self.breaches)

    # -- actions -------------------------------------------------------------------------------
    def _input(self, send: Callable[[], object]) -> None:
        """Send one of control's inputs; one the session refuses is shown, not raised."""
        try:
            send()
        except IllegalInput as exc:
            self.notify("; ".join(exc.problems), severity="error")
        self.refresh_all()

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
        world = self.session.world
        target = f" → {actor_name(world, ruling.target)}" if ruling.target else ""
        label = f"{actor_name(world, ruling.actor)}: {move_name(world, ruling.move)}{target}"
        forced = None if ruling.override_note is None else (ruling.outcome, ruling.override_note)

        def chosen(choice: OverrideChoice | None) -> None:
            if choice is not None:
                self._input(partial(self.session.override, ruling.mid, choice.outcome, choice.note))

        self.app.push_screen(
            OverrideDialog(label, ruling.chance, ruling.roll, dice(ruling), forced), chosen
        )

    def action_inject(self) -> None:
        """Type an ad hoc inject."""
        world = self.session.world

        def typed(choice: InjectChoice | None) -> None:
            if choice is not None:
                s = self.session
                self._input(partial(s.inject, choice.title, choice.text, choice.audience))

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
        near = near_end_text(s.world, view)
        if near:
            detail += "\n\n" + near

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
