"""A player's seat: the situation as this actor alone sees it, and its orders for the round.

Everything shown comes from ``session.view(actor)`` (taken once: nothing changes during a turn)
and the world's public labels; the draft orders are checked with ``session.check`` after every
change so problems appear inline before submitting, and ``session.warnings`` flags any order
that would breach an agreement in force.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalGroup, VerticalScroll
from textual.lazy import Lazy
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Footer,
    Label,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.option_list import Option

from sim.engine.session import IllegalInput
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import AnswerOrder, MessageOrder, MoveOrder
from ui.tui.link import SeatLink, SeatSource
from ui.tui.options import MoveOption, locked_moves, move_options
from ui.tui.screens.composer import MoveComposer
from ui.tui.screens.dialogs import AnswerDialog, ConfirmDialog
from ui.tui.screens.message import MessageDialog
from ui.tui.text import (
    actor_list,
    actor_name,
    agreement_text,
    belief_lines,
    clock,
    escape,
    feed_timeline,
    flag_label,
    move_name,
    plural,
    recent_entries,
    reflow,
    terms_text,
    timeline,
)
from ui.tui.widgets.header import Header
from ui.tui.widgets.indicators import IndicatorPanel, feed_rows
from ui.tui.widgets.roundclock import TimeLeft, run_clock
from ui.tui.widgets.tabs import show_tab
from ui.tui.widgets.timeline import TimelineView


@dataclass
class Draft:
    """Orders being written (UI state only; the session judges them)."""

    moves: list[MoveOrder] = field(default_factory=list)
    messages: list[MessageOrder] = field(default_factory=list)
    answers: list[AnswerOrder] = field(default_factory=list)

    def orders(self) -> Orders:
        """The draft as the session's input model."""
        return Orders(
            moves=list(self.moves), messages=list(self.messages), answers=list(self.answers)
        )

    def items(self) -> list[tuple[str, int]]:
        """(kind, index) of every draft item in display order."""
        return (
            [("move", i) for i in range(len(self.moves))]
            + [("message", i) for i in range(len(self.messages))]
            + [("answer", i) for i in range(len(self.answers))]
        )

    def remove(self, kind: str, index: int) -> None:
        """Drop one item."""
        if kind == "move":
            self.moves.pop(index)
        elif kind == "message":
            self.messages.pop(index)
        else:
            self.answers.pop(index)


def expiry(expires: int, rounds: int) -> str:
    """`` (open until round 3 closes)``; `` (open until the end)`` past the last round."""
    if expires >= rounds:
        return " (open until the end)"
    return f" (open until round {expires} closes)"


def seat_heading(world: World, view: View) -> str:
    """``China · round 2 of 8 · 13 Nov 2012 14:00`` (sim time only)."""
    return (
        f"{actor_name(world, view.actor)} · round {view.round} of {view.rounds} · "
        f"{clock(world, view.t)}"
    )


def agreements_markup(world: World, view: View) -> list[str]:
    """The agreements in force the seat is party to, one line each."""
    return [f"  {escape(agreement_text(world, a, view.t))}" for a in view.agreements] or ["  none"]


class SeatScreen(Screen[None]):
    """One human seat's turn."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "new_move", "Move"),
        Binding("w", "new_message", "Message"),
        Binding("a", "answer", "Answer"),
        Binding("x,delete", "remove", "Remove"),
        Binding("s", "submit", "Submit"),
        Binding("1", "tab('situation')", "Situation", show=False),
        Binding("2", "tab('indicators')", "Indicators", show=False),
        Binding("3", "tab('messages')", "Messages", show=False),
        Binding("4", "tab('orders')", "Orders", show=False),
        Binding("5", "tab('timeline')", "Timeline", show=False),
    ]

    @dataclass
    class Submitted(Message):
        """This seat's orders were accepted by the session."""

        actor: str

    def __init__(
        self,
        session: SeatSource,
        actor: str,
        clock: TimeLeft | None = None,
        *,
        link: SeatLink | None = None,
        deliver: Callable[[str, MessageOrder], None] | None = None,
    ) -> None:
        super().__init__()
        self.deliver = deliver
        """Hotseat: delivers a message at once (``Session.send``), so a seat whose turn comes
        later in the round reads it, and answers a proposal, before the round closes."""
        self.clock = clock
        """The round clock's time left, when the setup asked for one."""
        self.session = session
        self.actor = actor
        self.link = link
        """Keeps the draft as it changes and, networked, sends messages at once."""
        self.world = session.world
        """The public scenario: labels and move names only."""
        self.view = session.view(actor)
        kept = link.load_draft(actor, self.view.round) if link is not None else None
        self.draft = (
            Draft(list(kept.moves), list(kept.messages), list(kept.answers)) if kept else Draft()
        )
        self.sub_title = seat_heading(self.world, self.view)

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        view, world = self.view, self.world
        events = view.events
        rows = feed_rows(world, self.actor, events)
        yield Header()
        with Horizontal(classes="main"):
            with TabbedContent(initial="situation"):
                with TabPane("1 Situation", id="situation"), VerticalScroll():
                    yield Static(self._situation(view.briefing), id="situation-text")
                    news = [e for e in events if e["type"] == "inject"]
                    yield Static(f"[b]News received[/b] ({len(news)}), latest first:")
                    yield TimelineView(timeline(world, news[::-1], self.actor), empty="  none")
                # Tabs not shown first are mounted just after the first paint.
                with TabPane("2 Indicators", id="indicators"):
                    yield Lazy(IndicatorPanel(rows))
                with TabPane("3 Messages", id="messages"), VerticalScroll():
                    yield Lazy(self._messages())
                with TabPane("4 Orders", id="orders"), Vertical():
                    yield Label("", id="orders-summary")
                    yield OptionList(id="draft")
                    yield Label("", id="problems", classes="problem")
                    yield Label("", id="warnings", classes="warning")
                with TabPane("5 Timeline", id="timeline"), VerticalScroll():
                    kept = feed_timeline(world, events, self.actor, rounds=True)
                    yield Lazy(TimelineView(recent_entries(kept)))
            # Wide terminals keep the indicators in view beside the tabs (see sitroom.tcss).
            with Vertical(classes="side"):
                yield Label("[b]Indicators[/b]", classes="side-title")
                yield Lazy(IndicatorPanel(rows, label_width=22))
        yield Footer()

    def on_mount(self) -> None:
        self._refresh_draft()
        run_clock(self, self.sub_title, self.clock)

    def _situation(self, briefing: str) -> str:
        world, view = self.world, self.view
        name = actor_name(world, self.actor)
        hours = world.scenario.clock.round_hours
        out = [
            f"[b]{escape(world.scenario.title)}[/b] — you are [b]{escape(name)}[/b]",
            f"Round {view.round} of {view.rounds}: "
            f"{clock(world, view.t)}, "
            + (
                f"the exercise ends in {hours:g}h."
                if view.round >= view.rounds
                else f"the next decision point is in {hours:g}h."
            ),
            "",
            escape(reflow(briefing)),
            "",
        ]
        flags = sorted(n for n in view.values if n.startswith("flags."))
        facts = [flag_label(world, n) for n in flags if view.values[n]]
        if facts:
            out += ["[b]Known facts[/b]: " + escape(", ".join(facts)), ""]
        believed = belief_lines(world, view)
        if believed:
            out += ["[b]What you last observed[/b] of what you cannot see (beliefs):"]
            out += [f"  {escape(line)}" for line in believed] + [""]
        if view.agreements:
            out += ["[b]Agreements in force[/b]:", *agreements_markup(world, view), ""]
        return "\n".join(out)

    def _messages(self) -> VerticalGroup:
        return VerticalGroup(*self._message_parts(), id="messages-text")

    def _message_parts(self) -> list[Widget]:
        world, view = self.world, self.view
        events = view.events
        lines = ["[b]Agreements in force[/b]", *agreements_markup(world, view), ""]
        lines += ["[b]Proposals awaiting your answer[/b] (press [b]a[/b])"]
        lines += [
            f"  “{escape(p.title)}” from {escape(actor_name(world, p.sender))}: "
            f"{escape(terms_text(world, p.terms))}{expiry(p.expires, view.rounds)}"
            for p in view.awaiting_answer
        ] or ["  none"]
        inbox = [e for e in events if e["type"] == "message" and e["sender"] != self.actor]
        outbox = [e for e in events if e["type"] == "message" and e["sender"] == self.actor]
        return [
            Static("\n".join(lines)),
            Static(f"\n[b]Inbox[/b] ({len(inbox)}), latest first:"),
            TimelineView(timeline(world, inbox[::-1], self.actor), empty="  empty"),
            Static(f"\n[b]Outbox[/b] ({len(outbox)}), latest first:"),
            TimelineView(timeline(world, outbox[::-1], self.actor), empty="  empty"),
        ]

    # -- the draft -----------------------------------------------------------------------------
    def _item_text(self, kind: str, index: int) -> str:
        world = self.world
        if kind == "move":
            mo = self.draft.moves[index]
            target = f" → {actor_name(world, mo.target)}" if mo.target else ""
            return f"Move: {move_name(world, mo.move)}{target}"
        if kind == "message":
            msg = self.draft.messages[index]
            offer = (
                f" [proposal: {msg.proposal.title}{' — ' + terms_text(world, msg.proposal.terms)}]"
                if msg.proposal
                else ""
            )
            return f"Message to {actor_list(world, msg.to)}: {msg.text}{offer}"
        ans = self.draft.answers[index]
        titles = {p.id: p.title for p in self.view.proposals}
        title = f"“{titles[ans.proposal]}”" if ans.proposal in titles else ans.proposal
        return f"{'Accept' if ans.accept else 'Reject'} proposal {title}"

    def _refresh_draft(self) -> None:
        per_round = self.world.scenario.moves.per_round
        draft = self.query_one("#draft", OptionList)
        draft.set_options(
            [Option(escape(self._item_text(k, i)), id=f"{k}:{i}") for k, i in self.draft.items()]
        )
        self.query_one("#orders-summary", Label).update(
            f"Your orders: {len(self.draft.moves)} of at most {plural(per_round, 'move')}, "
            f"{plural(len(self.draft.messages), 'message')}, "
            f"{plural(len(self.draft.answers), 'answer')}\n"
            "[dim]m[/dim] move · [dim]w[/dim] message · [dim]a[/dim] answer · "
            "[dim]x[/dim] remove · [dim]s[/dim] submit"
        )
        orders = self.draft.orders()
        self._show_problems(self.session.check(self.actor, orders))
        warnings = self.session.warnings(self.actor, orders)
        label = self.query_one("#warnings", Label)
        label.update("\n".join(f"⚠ {escape(w)}" for w in warnings))
        label.display = bool(warnings)
        if self.link is not None:
            self.link.save_draft(self.actor, self.view.round, orders)

    def _show_problems(self, problems: list[str]) -> None:
        label = self.query_one("#problems", Label)
        label.update("\n".join(f"✗ {escape(p)}" for p in problems))
        label.display = bool(problems)

    def _added(self) -> None:
        self._refresh_draft()
        show_tab(self.query_one(TabbedContent), "orders")

    # -- actions -------------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        """Show one tab."""
        show_tab(self.query_one(TabbedContent), tab)

    def action_new_move(self) -> None:
        """Open the move composer."""
        per_round = self.world.scenario.moves.per_round
        if len(self.draft.moves) >= per_round:
            self.notify(
                f"You have {per_round} moves, the most a round allows: remove one with x first.",
                severity="warning",
            )
            return
        heading = (
            f"New move for {actor_name(self.world, self.actor)} — "
            f"move {len(self.draft.moves) + 1} of at most {per_round} this round"
        )

        def chosen(order: MoveOrder | None) -> None:
            if order is not None:
                self.draft.moves.append(order)
                self._added()

        options = move_options(self.world, self.view)
        locked = self.locked_options()
        self.app.push_screen(MoveComposer(self.world, self.actor, options, heading, locked), chosen)

    def locked_options(self) -> list[MoveOption]:
        """The seat's moves it may not use now, with why (a networked seat is told them by the
        server, whose rules its client does not have)."""
        return locked_moves(self.world, self.view)

    def action_new_message(self) -> None:
        """Write a message."""
        world = self.world
        others = [(a, actor_name(world, a)) for a in world.actors if a != self.actor]

        def written(msg: MessageOrder | None) -> None:
            if msg is None:
                return
            if self.link is not None and self.link.send(self.actor, msg):
                return  # delivered now (networked play), not with the orders
            if self.deliver is not None:
                self._deliver(msg)
                return
            self.draft.messages.append(msg)
            self._added()

        # A promise binds every party, so any tag in the scenario may be promised away.
        tags = sorted({t for spec in world.moves.values() for t in spec.type.tags})
        self.app.push_screen(MessageDialog(others, tags, now=self.deliver is not None), written)

    def _sent_now(self) -> int:
        """Messages this seat has delivered during this round (hotseat or networked)."""
        view = self.view
        return sum(
            e["type"] == "message" and e["sender"] == self.actor and e["round"] == view.round
            for e in view.events
        )

    def _deliver(self, msg: MessageOrder) -> None:
        """Hand ``msg`` to the session now, then show it in this seat's outbox."""
        assert self.deliver is not None
        try:
            self.deliver(self.actor, msg)
        except IllegalInput as exc:
            self._show_problems(exc.problems)
            show_tab(self.query_one(TabbedContent), "orders")
            self.notify("The message was not sent: see the problem shown.", severity="error")
            return
        # Only this seat's own view, which now holds the message it sent.
        self.view = self.session.view(self.actor)
        for group in self.query("#messages-text"):
            group.remove_children()
            group.mount(*self._message_parts())
        who = actor_list(self.world, msg.to)
        later = " A proposal can be accepted before the round closes." if msg.proposal else ""
        self.notify(f"Sent to {who} now: they read it on their turn.{later}")
        show_tab(self.query_one(TabbedContent), "messages")

    def action_answer(self) -> None:
        """Answer a proposal awaiting this seat."""
        world = self.world
        answered = {a.proposal for a in self.draft.answers}
        open_ = [
            (
                p,
                escape(
                    f"“{p.title}” from {actor_name(world, p.sender)}: "
                    f"{terms_text(world, p.terms)}{expiry(p.expires, self.view.rounds)}"
                ),
            )
            for p in self.view.awaiting_answer
            if p.id not in answered
        ]
        if not open_:
            self.notify("No proposals await your answer.")
            return

        def answered_(ans: AnswerOrder | None) -> None:
            if ans is not None:
                self.draft.answers.append(ans)
                self._added()

        self.app.push_screen(AnswerDialog(open_), answered_)

    def action_remove(self) -> None:
        """Remove the highlighted draft item."""
        draft = self.query_one("#draft", OptionList)
        if not self.draft.items():
            self.notify("There are no orders to remove.")
            return
        if self.query_one(TabbedContent).active != "orders":
            show_tab(self.query_one(TabbedContent), "orders")
            self.notify("Highlight the order to remove, then press x again.")
            return
        if draft.highlighted is None:
            draft.highlighted = 0
        ident = draft.get_option_at_index(draft.highlighted).id or ""
        kind, _, index = ident.partition(":")
        self.draft.remove(kind, int(index))
        self._refresh_draft()

    def action_submit(self) -> None:
        """Confirm, then hand the orders to the session."""
        d = self.draft
        orders = d.orders()
        problems = self.session.check(self.actor, orders)
        if problems:
            self._show_problems(problems)
            show_tab(self.query_one(TabbedContent), "orders")
            self.notify("Fix the problems shown under your orders first.", severity="error")
            return
        summary = "\n".join(self._item_text(k, i) for k, i in d.items()) or (
            "No orders: you pass this round."
        )
        sent = self._sent_now()
        if sent:
            summary += f"\n\nAlready delivered this round: {plural(sent, 'message')}."
        warnings = self.session.warnings(self.actor, orders)
        if warnings:
            summary += "\n\n" + "\n".join(f"⚠ {w}" for w in warnings)

        def confirmed(ok: bool | None) -> None:
            if not ok:
                return
            try:
                self.session.submit(self.actor, d.orders())
            except IllegalInput as exc:
                self._show_problems(exc.problems)
                show_tab(self.query_one(TabbedContent), "orders")
                return
            self.post_message(self.Submitted(self.actor))

        name = actor_name(self.world, self.actor)
        self.app.push_screen(
            ConfirmDialog(f"Submit {name}'s orders for round {self.view.round}?", summary),
            confirmed,
        )

    # -- focus ---------------------------------------------------------------------------------
    @on(TabbedContent.TabActivated)
    def _focus_tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "orders":
            self.query_one("#draft").focus()
