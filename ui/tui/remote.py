"""`sitroom join URL --code CODE`: the Textual app playing one seat (or control, or watching)
against a `sitroom serve` server, over :class:`ui.net.client.Connection`.

The server is the only authority: the app holds the seat's view and events as they arrive, the
public catalogue the welcome frame carries (labels, clock, move names; never the hidden parts of
the scenario) and, for a seat, its team's draft. The seat screen is the hotseat one, driven by a
:class:`RemoteSeat` instead of a local session; it is rebuilt when something new arrives (a
message, an inject, a teammate's edit), once no dialog is open over it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Awaitable, Coroutine
from typing import Any, ClassVar, Literal, cast

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static, TabbedContent

from sim.engine.inputs import AdHocInject, Close, IllegalInput, Override, Pause, Resume
from sim.engine.session import Ruling, Session
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import MessageOrder
from ui.net.client import Connection, Refused
from ui.net.protocol import (
    Broadcast,
    CodeAction,
    CodeIssued,
    Debrief,
    DraftUpdate,
    Error,
    Events,
    Extend,
    Notice,
    OnDeadline,
    Presence,
    RulingInfo,
    ServerFrame,
    Submitted,
    ViewFrame,
)
from ui.net.public import Catalogue, world_from_catalogue
from ui.tui.link import orders_json
from ui.tui.options import MoveOption
from ui.tui.screens.control import dice, fill_preview, preview_widths, show_ruling
from ui.tui.screens.debrief import DebriefScreen
from ui.tui.screens.dialogs import (
    ConfirmDialog,
    InjectChoice,
    InjectDialog,
    OverrideChoice,
    OverrideDialog,
)
from ui.tui.screens.results import ResultsScreen
from ui.tui.screens.seat import SeatScreen, seat_heading
from ui.tui.text import actor_name, escape, move_name, timeline
from ui.tui.widgets.header import Header
from ui.tui.widgets.tabs import show_tab
from ui.tui.widgets.timeline import TimelineView


def time_left(conn: Connection) -> str:
    """``12:34 left``, ``paused, 12:34 left`` or empty (no deadline)."""
    d = conn.deadline
    if d is None or d.round != conn.round or conn.over:
        return ""
    if d.ends_at is not None:
        left = max(0.0, d.ends_at - time.time())
    elif d.remaining is not None:
        left = d.remaining
    else:
        return ""
    text = f"{int(left) // 60}:{int(left) % 60:02d} left"
    return f"paused, {text}" if d.paused else text


class RemoteSeat:
    """A seat's session surface and draft link over the network (see :mod:`ui.tui.link`)."""

    def __init__(self, app: JoinApp, conn: Connection, world: World) -> None:
        self.app = app
        self.conn = conn
        self._world = world
        self.draft: tuple[int, dict[str, Any]] | None = (
            (conn.round, conn.draft) if conn.draft is not None else None
        )

    @property
    def world(self) -> World:
        return self._world

    def view(self, actor: str | None) -> View:
        return self.conn.view

    def check(self, actor: str, orders: Orders) -> list[str]:
        """What the seat can check from its view; the server rules on submit."""
        view = self.conn.view
        per_round = self._world.scenario.moves.per_round
        problems = []
        if len(orders.moves) > per_round:
            problems.append(f"at most {per_round} move(s) a round, got {len(orders.moves)}")
        seen = set()
        for i, mo in enumerate(orders.moves, 1):
            if (mo.move, mo.target) in seen:
                problems.append(f"move {i}: '{mo.move}' is listed twice")
            seen.add((mo.move, mo.target))
            if (mo.move, mo.target) not in view.legal:
                on = f" on {actor_name(self._world, mo.target)}" if mo.target else ""
                problems.append(f"move {i}: {move_name(self._world, mo.move)}{on} is not open now")
        awaiting = {p.id for p in view.awaiting_answer}
        problems += [
            f"answer: no open proposal '{a.proposal}' awaits you"
            for a in orders.answers
            if a.proposal not in awaiting
        ]
        return problems

    def warnings(self, actor: str, orders: Orders) -> list[str]:
        view = self.conn.view
        titles = {a.id: a.title for a in view.agreements}
        breaks = {(o.move, o.target): o.breaks for o in view.options}
        return [
            f"'{mo.move}' would breach agreement '{titles.get(aid, aid)}' ({aid})"
            for mo in orders.moves
            for aid in breaks.get((mo.move, mo.target), ())
        ]

    def submit(self, actor: str, orders: Orders) -> None:
        """Send the orders; the app shows the seat as submitted once the server says so (a
        refusal reopens the orders with the server's reasons)."""
        self.app.spawn(self._submit(orders, self.conn.round))

    async def _submit(self, orders: Orders, round: int) -> None:
        try:
            await self.conn.submit(orders, round=round)
        except Refused as exc:
            self.app.refused(f"Orders not accepted: {exc.message}")
            return
        # Said on the server's ack only: the input is in its journal by then.
        self.app.notify("The server has your orders.")

    # -- SeatLink ------------------------------------------------------------------------------
    def load_draft(self, actor: str, round: int) -> Orders | None:
        if self.draft is None or self.draft[0] != round:
            return None
        return Orders.model_validate(self.draft[1])

    def save_draft(self, actor: str, round: int, orders: Orders) -> None:
        data = orders_json(orders)
        if self.draft == (round, data) or (self.draft is None and not data):
            return
        self.draft = (round, data)
        self.app.spawn(self._save(orders))

    async def _save(self, orders: Orders) -> None:
        try:
            await self.conn.save_draft(orders)
        except Refused as exc:
            self.app.notify(f"Draft not kept: {exc.message}", severity="warning")

    def send(self, actor: str, message: MessageOrder) -> bool:
        self.app.spawn(self._send(message))
        return True

    async def _send(self, message: MessageOrder) -> None:
        try:
            await self.conn.send(message)
        except Refused as exc:
            self.app.notify(f"Message not sent: {exc.message}", severity="error")
            return
        self.app.notify("Message sent: the recipients have it now.")


# -- screens ---------------------------------------------------------------------------------
class RemoteSeatScreen(SeatScreen):
    """The hotseat seat screen; its locked moves are the ones the server told it, worded
    from the seat's own move rules (its client has labels only)."""

    def __init__(self, seat: RemoteSeat, actor: str) -> None:
        super().__init__(seat, actor, link=seat)
        self.remote = seat

    def locked_options(self) -> list[MoveOption]:
        world = self.world
        out = []
        for lm in self.remote.conn.locked:
            spec = world.moves.get(lm.move)
            if spec is None:
                continue
            t = spec.type
            out.append(
                MoveOption(
                    t.id,
                    t.name,
                    t.category,
                    t.escalation,
                    t.duration,
                    t.visibility,
                    t.description,
                    (),
                    lm.why,
                )
            )
        return out


def ruling(info: RulingInfo) -> Ruling:
    """A preview row from the wire as the engine's ruling (the hotseat table's input)."""
    return Ruling(
        mid=info.mid,
        actor=info.actor,
        move=info.move,
        target=info.target,
        chance=info.chance,
        roll=info.roll,
        outcome=info.outcome,
        detected_by=tuple(info.detected_by),
        override_note=info.override_note,
    )


def debrief_world(world: World, debrief: Debrief | None) -> World:
    """The client's label-only world with what control's debrief adds (the endings' meaning,
    the objectives and whether the final state meets them, measured by the server)."""
    if debrief is None:
        return world
    from dataclasses import replace

    from sim.models.scenario import EndCondition, Objective
    from ui.net.public import constant

    sc = world.scenario.model_copy(
        update={
            "end_conditions": [
                EndCondition.model_construct(
                    id=e.id, title=e.title, description=e.description, when="", immediate=False
                )
                for e in debrief.endings
            ],
            "objectives": [
                Objective.model_construct(id=o.id, text=o.text, measure=None)
                for o in debrief.objectives
            ],
        }
    )
    measured = tuple(
        (o.id, None if o.met is None else constant(float(o.met))) for o in debrief.objectives
    )
    return replace(world, scenario=sc, objectives=measured)


class SeenSource:
    """What the debrief screen reads of a session (its world and the one view), from what the
    connection received: a seat's own view and events, control's omniscient ones."""

    def __init__(self, world: World, view: View) -> None:
        self.world = world
        self._view = view

    def view(self, actor: str | None) -> View:
        return self._view


def remote_debrief(world: World, conn: Connection) -> DebriefScreen:
    """The end screen from this connection's own view (no report key: control writes the
    report with ``sitroom report``)."""
    w = debrief_world(world, conn.debrief) if conn.role == "control" else world
    return DebriefScreen(cast(Session, SeenSource(w, conn.view)))


class CodeScreen(Screen[None]):
    """The first screen when no code was given: type the join code."""

    def __init__(self, url: str, problem: str = "") -> None:
        super().__init__()
        self.url = url
        self.problem = problem

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="join"):
            yield Static(
                f"[b]Join the exercise[/b] at {escape(self.url)}\n\n"
                "Type the join code your facilitator gave you, then press Enter."
            )
            yield Input(placeholder="join code, e.g. k3fq-9xwa-m2tc", id="code")
            yield Label(escape(self.problem), id="join-problem", classes="problem")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "join"
        self.query_one("#code", Input).focus()

    def show_problem(self, text: str) -> None:
        self.query_one("#join-problem", Label).update(escape(text))

    @on(Input.Submitted, "#code")
    def _entered(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if code:
            self.show_problem("Joining…")
            assert isinstance(self.app, JoinApp)
            self.app.join(code)


class WaitScreen(Screen[None]):
    """A seat that has submitted: what arrives while the round is open; ``e`` edits the
    orders again (a new submission replaces the one before)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("e", "edit", "Change orders")]

    def __init__(self, world: World, view: View, orders: dict[str, Any]) -> None:
        super().__init__()
        self.world = world
        self.view = view
        self.orders = orders
        self.sub_title = seat_heading(world, view)

    def compose(self) -> ComposeResult:
        o = Orders.model_validate(self.orders)
        yield Header()
        with VerticalScroll():
            yield Static(
                f"[b]Orders submitted for round {self.view.round}[/b]: "
                f"{len(o.moves)} move(s), {len(o.answers)} answer(s). Waiting for control to "
                "close the round; press [b]e[/b] to change them until then.\n",
                id="wait-status",
            )
            yield Static("[b]Latest first[/b]:")
            yield TimelineView(
                timeline(self.world, list(self.view.events)[::-1][:40], self.view.actor),
                empty="  nothing yet",
            )
        yield Footer()

    def action_edit(self) -> None:
        assert isinstance(self.app, JoinApp)
        self.app.edit_orders()


class ObserverScreen(Screen[None]):
    """Public events as they arrive."""

    def __init__(self, world: World, view: View) -> None:
        super().__init__()
        self.world = world
        self.view = view
        self.sub_title = f"observer · round {view.round} of {view.rounds}"

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(f"[b]{escape(self.world.scenario.title)}[/b] — public events")
            yield TimelineView(
                timeline(self.world, self.view.events, None, rounds=True),
                empty="  nothing yet",
                id="observer-timeline",
            )
        yield Footer()


class TextDialog(ModalScreen[str | None]):
    """One line of text (a broadcast, a role for a code)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(escape(self.question))
            yield Input(placeholder=self.placeholder, id="text")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted, "#text")
    def _entered(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RemoteControlScreen(Screen[None]):
    """Control over the network: presence, submissions, the deadline, the adjudication preview
    (the hotseat table, asked of the server), and the facilitation actions (close, override,
    extend, pause, broadcast, inject, codes, what the deadline does)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "close_round", "Close round"),
        Binding("o", "override", "Override"),
        Binding("e", "extend(5)", "+5 min"),
        Binding("E", "extend(-5)", "-5 min"),
        Binding("p", "pause", "Pause/resume"),
        Binding("b", "broadcast", "Broadcast"),
        Binding("i", "inject", "Inject"),
        Binding("r", "codes", "Codes"),
        Binding("d", "on_deadline", "At deadline"),
    ]

    def __init__(self, world: World, conn: Connection) -> None:
        super().__init__()
        self.world = world
        self.conn = conn
        self.rulings: list[Ruling] = []
        self.breaches: dict[str, list[str]] = {}
        self._widths: tuple[int, ...] = ()
        self._asking = False
        self._again = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="main"):
            yield Label("", id="control-status")
            yield DataTable(id="presence", cursor_type="row", zebra_stripes=True)
            yield Label(
                "[b]Adjudication preview[/b] [dim]not committed until the round closes[/dim]"
            )
            yield DataTable(id="preview", cursor_type="row", zebra_stripes=True)
            yield Static("", id="ruling")
            yield Label("", id="breaches", classes="warning")
            yield Static("[b]Latest events[/b]:")
            with VerticalScroll():
                yield TimelineView(empty="  nothing yet", id="control-log")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#presence", DataTable).add_columns(
            "Seat", "Played by", "Connected", "Submitted"
        )
        self.reload()
        self.query_one("#preview").focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill_preview)

    def reload(self) -> None:
        conn, world = self.conn, self.world
        view = conn.view
        self.sub_title = seat_heading(world, view)
        p = conn.presence
        then = p.on_deadline if p is not None else "pass"
        left = time_left(conn)
        status = [f"Round {view.round} of {view.rounds}"]
        if view.paused:
            status.append("[b reverse] PAUSED [/]")
        if left:
            status.append(f"deadline: {left}; then unsubmitted seats {self._then(then)}")
        if p is not None:
            status.append(f"control {p.control}, observers {p.observers}")
        self.query_one("#control-status", Label).update(" · ".join(status))
        table = self.query_one("#presence", DataTable)
        table.clear()
        if p is not None:
            for actor, seat in p.seats.items():
                table.add_row(
                    actor_name(world, actor),
                    seat.seat,
                    str(seat.connections) if seat.seat != "computer" else "",
                    "yes" if seat.submitted else ("" if seat.seat == "computer" else "no"),
                    key=actor,
                )
        events = list(view.events)[::-1][:60]
        self.query_one("#control-log", TimelineView).set_entries(timeline(world, events, None))
        self._fill_preview()
        self.ask_preview()

    # -- the adjudication preview --------------------------------------------------------------
    def ask_preview(self) -> None:
        """Ask the server for the preview again (one request at a time; a reload meanwhile
        asks once more when it is answered)."""
        if self._asking:
            self._again = True
            return
        self._asking = True
        self._app().spawn(self._ask())

    async def _ask(self) -> None:
        try:
            while True:
                self._again = False
                try:
                    await self.conn.ask_preview()
                except Refused as exc:
                    if exc.code != "ended":
                        self.notify(f"No preview: {exc.message}", severity="warning")
                    return
                except ConnectionError:
                    return
                if self.is_mounted:
                    self._fill_preview()
                if not self._again:
                    return
        finally:
            self._asking = False

    def _fill_preview(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one("#preview", DataTable)
        p = self.conn.preview
        infos = p.rulings if p is not None and p.round == self.conn.round else []
        widths = preview_widths(table.size.width or self.app.size.width - 2)
        self.rulings = [ruling(i) for i in infos]
        self.breaches = {i.mid: list(i.breaches) for i in infos if i.breaches}
        self._widths = fill_preview(
            self, self.world, self.rulings, self.breaches, widths, self._widths
        )

    @on(DataTable.RowHighlighted, "#preview")
    def _show_ruling(self) -> None:
        """The highlighted ruling in full under the table (cells are cut to fit)."""
        show_ruling(self, self.world, self.rulings, self.breaches)

    def action_override(self) -> None:
        """Force the outcome of the highlighted move (an input, journalled by the server)."""
        table = self.query_one("#preview", DataTable)
        if not self.rulings:
            self.notify("No moves this round to override.")
            return
        r = self.rulings[min(table.cursor_row, len(self.rulings) - 1)]
        world = self.world
        target = f" → {actor_name(world, r.target)}" if r.target else ""
        label = f"{actor_name(world, r.actor)}: {move_name(world, r.move)}{target}"
        forced = None if r.override_note is None else (r.outcome, r.override_note)

        def chosen(choice: OverrideChoice | None) -> None:
            if choice is not None:
                inp = Override(mid=r.mid, outcome=choice.outcome, note=choice.note)
                self._app().control_input(inp)

        self.app.push_screen(OverrideDialog(label, r.chance, r.roll, dice(r), forced), chosen)

    @staticmethod
    def _then(then: str) -> str:
        return "are played by the computer" if then == "computer" else "pass"

    def _app(self) -> JoinApp:
        assert isinstance(self.app, JoinApp)
        return self.app

    def action_close_round(self) -> None:
        """Confirm, then close the round on the server."""
        p = self.conn.presence
        waiting = [
            actor_name(self.world, a)
            for a, s in (p.seats.items() if p else ())
            if s.seat != "computer" and not s.submitted
        ]
        detail = f"Not submitted (they pass): {', '.join(waiting)}" if waiting else ""

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._app().control_input(Close())

        self.app.push_screen(
            ConfirmDialog(f"Close round {self.conn.round}?", detail or "Every seat submitted."),
            confirmed,
        )

    def action_extend(self, minutes: float) -> None:
        """Move the deadline."""
        fid = self.conn.new_id()
        self._app().control_frame(Extend(id=fid, minutes=minutes), fid)

    def action_pause(self) -> None:
        """Pause or resume the exercise (and the deadline)."""
        self._app().control_input(Resume() if self.conn.view.paused else Pause())

    def action_broadcast(self) -> None:
        """A notice to every seat."""

        def typed(text: str | None) -> None:
            if text:
                fid = self.conn.new_id()
                self._app().control_frame(Broadcast(id=fid, text=text), fid)

        self.app.push_screen(TextDialog("Broadcast to every seat:"), typed)

    def action_inject(self) -> None:
        """An ad hoc inject, pushed to its audience now."""

        def typed(choice: InjectChoice | None) -> None:
            if choice is not None:
                inp = AdHocInject(title=choice.title, text=choice.text, audience=choice.audience)
                self._app().control_input(inp)

        actors = [(a, actor_name(self.world, a)) for a in self.world.actors]
        self.app.push_screen(InjectDialog(actors), typed)

    def action_codes(self) -> None:
        """Revoke or renew a role's join code (``renew us``, ``revoke observer``)."""

        def typed(text: str | None) -> None:
            parts = (text or "").split()
            if len(parts) != 2 or parts[0] not in ("revoke", "renew"):
                if text:
                    self.notify("Type 'renew ROLE' or 'revoke ROLE'.", severity="warning")
                return
            fid = self.conn.new_id()
            action: Literal["renew", "revoke"] = "renew" if parts[0] == "renew" else "revoke"
            self._app().control_frame(CodeAction(id=fid, role=parts[1], action=action), fid)

        roles = ", ".join([*self.world.actors, "control", "observer"])
        self.app.push_screen(TextDialog(f"renew ROLE or revoke ROLE ({roles}):", "renew us"), typed)

    def action_on_deadline(self) -> None:
        """Toggle what happens to unsubmitted seats at the deadline."""
        p = self.conn.presence
        then: Literal["pass", "computer"] = (
            "pass" if p is not None and p.on_deadline == "computer" else "computer"
        )
        fid = self.conn.new_id()
        self._app().control_frame(OnDeadline(id=fid, then=then), fid)
        self.notify(f"At the deadline, unsubmitted seats now {self._then(then)}.")


# -- the app ---------------------------------------------------------------------------------
class JoinApp(App[None]):
    """``sitroom join URL [--code CODE]``."""

    CSS_PATH = "sitroom.tcss"
    TITLE = "sitroom"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012

    def __init__(
        self,
        url: str,
        code: str | None = None,
        *,
        name: str = "",
        retry: float = 60.0,
        tls: ssl.SSLContext | bool = True,
    ) -> None:
        super().__init__()
        self.url = url
        self.code = code
        self.client_name = name
        self.retry = retry
        self.tls = tls
        self.conn: Connection | None = None
        self.world: World | None = None
        self.seat: RemoteSeat | None = None
        self.shown_round = 0
        self._mark = 0
        """How many events the seat had when the round on screen opened (results slice)."""
        self._stale = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.sub_title = "join"

    def on_mount(self) -> None:
        self.push_screen(CodeScreen(self.url))
        if self.code:
            self.join(self.code)
        self.set_interval(0.5, self._tick)

    # -- tasks ---------------------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a network call in the app's event loop (kept referenced until done)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def refused(self, text: str) -> None:
        self.notify(text, severity="error", timeout=15)
        self._stale = True

    # -- joining -------------------------------------------------------------------------------
    def join(self, code: str) -> None:
        self.run_worker(self._join(code), exclusive=True, group="join")

    async def _join(self, code: str) -> None:
        import aiohttp

        conn = Connection(self.url, code, name=self.client_name, retry=self.retry, tls=self.tls)
        try:
            welcome = await conn.connect()
        except Refused as exc:
            self._join_problem(f"{exc.message}. Check the code and try again.")
            return
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self._join_problem(f"Cannot reach the sitroom server at {self.url} ({exc}).")
            return
        self.conn = conn
        key = conn.actor
        self.world = world_from_catalogue(Catalogue.model_validate(welcome.catalogue or {}), key)
        if conn.role == "seat":
            self.seat = RemoteSeat(self, conn, self.world)
        self.shown_round = conn.round
        self._mark = len(conn.events)
        self._show_main()
        self.spawn(self._read(conn))

    def _join_problem(self, text: str) -> None:
        if isinstance(self.screen, CodeScreen):
            self.screen.show_problem(text)
        else:
            self.switch_screen(CodeScreen(self.url, text))

    async def _read(self, conn: Connection) -> None:
        async for frame in conn.frames():
            self._frame(frame)
            if self._switching is not None:
                # A screen removed while it mounts breaks Textual: let it finish first.
                switching, self._switching = self._switching, None
                await switching
        if conn.failed is not None:
            self.notify(f"Lost the server: {conn.failed}", severity="error", timeout=60)

    # -- what arrives --------------------------------------------------------------------------
    def _frame(self, frame: ServerFrame) -> None:
        conn, world = self.conn, self.world
        assert conn is not None
        assert world is not None
        if isinstance(frame, Events):
            self._flag_new(frame.events)
            self._stale = True
        elif isinstance(frame, ViewFrame):
            if conn.round != self.shown_round or (conn.over and not self._ended):
                self._round_closed()
            else:
                self._stale = True
        elif isinstance(frame, DraftUpdate) and self.seat is not None:
            self.seat.draft = (frame.round, frame.orders)
            self.notify(f"{frame.by} changed the team's draft.", timeout=4)
            self._stale = True
        elif isinstance(frame, (Submitted, Presence)):
            self._stale = True
        elif isinstance(frame, Debrief) and isinstance(self.screen, DebriefScreen):
            self._show_main()
        elif isinstance(frame, Notice):
            self.notify(frame.text, title="From control", timeout=30)
        elif isinstance(frame, CodeIssued):
            self.notify(
                f"New {frame.role} code: {frame.code}" if frame.code else f"{frame.role} revoked",
                timeout=60,
            )
        elif isinstance(frame, Error) and frame.id is None:
            self.notify(frame.message, severity="error")

    def _flag_new(self, events: list[dict[str, Any]]) -> None:
        conn, world = self.conn, self.world
        assert conn is not None
        assert world is not None
        for e in events:
            kind = e.get("type")
            if kind == "inject":
                self.notify(str(e.get("title", "")), title="New inject", timeout=12)
            elif kind == "message" and e.get("sender") != conn.actor:
                who = actor_name(world, e.get("sender"))
                offer = " (with a proposal: answer it with a)" if e.get("proposal") else ""
                self.notify(f"from {who}{offer}", title="New message", timeout=12)

    _ended = False
    _up = True
    _switching: Awaitable[Any] | None = None

    def _round_closed(self) -> None:
        conn, world = self.conn, self.world
        assert conn is not None
        assert world is not None
        if not self.screen_stack:
            return  # the app is closing
        self._ended = conn.over
        closed = self.shown_round
        events = list(conn.events)
        self.shown_round = conn.round
        results, self._mark = events[self._mark :], len(events)
        self._stale = False
        # A dialog left open over the closed round's screen has nothing to act on any more.
        while isinstance(self.screen, ModalScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        if conn.role == "seat" or conn.role == "control":
            self._switching = self.switch_screen(
                ResultsScreen(world, conn.actor, closed, results, events)
            )
        else:
            self._show_main()

    @on(ResultsScreen.Done)
    def _read_results(self) -> None:
        self._show_main()

    def edit_orders(self) -> None:
        conn = self.conn
        assert conn is not None
        assert self.seat is not None
        submitted = conn.submitted.get(conn.round)
        if submitted is not None:
            self.seat.draft = (conn.round, submitted)
        self._editing = conn.round
        self._show_main()

    _editing = -1

    # -- screens -------------------------------------------------------------------------------
    def _main_screen(self) -> Screen[None]:
        conn, world = self.conn, self.world
        assert conn is not None
        assert world is not None
        view = conn.view
        if conn.over:
            return remote_debrief(world, conn)
        if conn.role == "observer":
            return ObserverScreen(world, view)
        if conn.role == "control":
            return RemoteControlScreen(world, conn)
        assert self.seat is not None
        assert conn.actor is not None
        done = conn.submitted.get(conn.round)
        w = conn.welcome
        if done is None and w is not None and w.submitted and w.view.get("round") == conn.round:
            done = {}
        if done is not None and self._editing != conn.round:
            return WaitScreen(world, view, done)
        return RemoteSeatScreen(self.seat, conn.actor)

    def _show_main(self) -> None:
        self._stale = False
        tab = None
        if isinstance(self.screen, SeatScreen):
            with contextlib.suppress(Exception):
                tab = self.screen.query_one(TabbedContent).active
        screen = self._main_screen()
        self._switching = self.switch_screen(screen)
        if tab and isinstance(screen, SeatScreen):
            screen.call_after_refresh(lambda: show_tab(screen.query_one(TabbedContent), tab))

    def _tick(self) -> None:
        """Twice a second: the time left, and rebuild a stale main screen once no dialog is
        open over it (at most this often, so a burst of frames is one rebuild)."""
        conn = self.conn
        if conn is None or not self.screen_stack or not self.screen.is_mounted:
            return
        if conn.connected != self._up and conn.failed is None:
            # Say so while the client reconnects by itself (a server restarted with --resume).
            self._up = conn.connected
            if self._up:
                self.notify("Reconnected to the server; nothing was lost.", timeout=8)
            else:
                self.notify(
                    "Lost the server; reconnecting… (what you type is kept)",
                    severity="warning",
                    timeout=30,
                )
        screen = self.screen
        if isinstance(screen, RemoteControlScreen) and self._stale:
            self._stale = False
            screen.reload()
        elif self._stale and isinstance(screen, SeatScreen | WaitScreen | ObserverScreen):
            self._show_main()
            return
        if isinstance(screen, SeatScreen | WaitScreen | RemoteControlScreen) and self.world:
            # The heading from the view now, not from the screen (which sets its own only
            # once mounted), plus the time left.
            base = seat_heading(self.world, conn.view)
            left = time_left(conn)
            screen.sub_title = f"{base} · {left}" if left else base

    @on(SeatScreen.Submitted)
    def _submitted(self) -> None:
        # The server's "submitted" frame turns the screen to waiting; until then, as it was.
        self._editing = -1
        conn = self.conn
        if conn is not None and not conn.connected:
            # Not "sent": the client holds them and sends them again once it is back.
            self.notify(
                "Orders kept: they go to the server as soon as it is back.",
                severity="warning",
                timeout=15,
            )

    # -- control's requests --------------------------------------------------------------------
    def control_input(self, inp: Any) -> None:
        conn = self.conn
        assert conn is not None

        async def go() -> None:
            try:
                await conn.input(inp)
            except (Refused, IllegalInput) as exc:
                self.notify(str(exc), severity="error")

        self.spawn(go())

    def control_frame(self, frame: Any, fid: str) -> None:
        conn = self.conn
        assert conn is not None

        async def go() -> None:
            try:
                await conn.request(frame, fid)
            except Refused as exc:
                self.notify(exc.message, severity="error")

        self.spawn(go())

    async def action_quit(self) -> None:
        if self.conn is not None:
            await self.conn.close()
        self.exit()
