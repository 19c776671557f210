"""Write a message: to chosen actors or a public statement, optionally carrying a proposal.

A proposal here is the common case in these exercises: a title and a promise, binding every
party, not to use moves with some tags (``no forces north``) for a while. The session checks
the result like any other order (a proposal needs named recipients, for instance).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from sim.models.script import Commitment, MessageOrder, ProposalSpec, Terms
from ui.tui.widgets.seats import ToggleList

PROMISE_HOURS = 72.0
"""How long a commitment made from the TUI holds unless the sender chooses, in sim hours."""


def tag_label(tag: str) -> str:
    """``forces_north`` -> ``no forces north``."""
    return "no " + tag.replace("_", " ")


def message_order(
    to: list[str], text: str, title: str, forbid: list[str], hours: float = PROMISE_HOURS
) -> MessageOrder:
    """The order for a message, with a proposal when it has a title; its promise holds for
    ``hours`` sim hours."""
    proposal = None
    if title:
        commitments = (
            [
                Commitment(
                    forbid=forbid,
                    hours=hours,
                    label=", ".join(tag_label(t) for t in forbid),
                )
            ]
            if forbid
            else []
        )
        proposal = ProposalSpec(title=title, terms=Terms(commitments=commitments))
    return MessageOrder(to=to if to else "public", text=text, proposal=proposal)


class MessageDialog(ModalScreen[MessageOrder | None]):
    """Recipients and text on the left; an optional proposal on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "send", "Send", priority=True),
    ]

    def __init__(
        self, recipients: Sequence[tuple[str, str]], tags: Sequence[str] = (), *, now: bool = False
    ) -> None:
        super().__init__(classes="dialog")
        self.recipients = list(recipients)
        self.tags = list(tags)
        self.now = now
        """The message is delivered when sent (hotseat), not with the round's orders."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box message"):
            yield Label(
                "New message — delivered as soon as you send it" if self.now else "New message",
                classes="dialog-title",
            )
            with Horizontal():
                with Vertical(id="message-left"):
                    yield Label("To whom? (none: a public statement)")
                    yield ToggleList("to", "-", id="to")
                    yield Input(placeholder="Message text", id="text")
                with Vertical(id="message-right"):
                    yield Label("Proposal (optional), binding all:")
                    yield Input(placeholder="Proposal title", id="proposal-title")
                    yield ToggleList("promise", "-", id="forbid")
                    with Horizontal(id="promise-row"):
                        yield Label("for (sim hours) ")
                        yield Input(
                            f"{PROMISE_HOURS:g}", type="number", id="promise-hours", compact=True
                        )
            yield Label("", id="problem", classes="problem")
            yield Label(
                "[b]Space[/b] tick  [b]Tab[/b] next  [b]Enter[/b] in a text: send  "
                "[b]Esc[/b] cancel",
                classes="dialog-keys",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#to", ToggleList).set_rows(dict(self.recipients))
        self.query_one("#forbid", ToggleList).set_rows({t: tag_label(t) for t in self.tags})
        self.query_one("#forbid").display = bool(self.tags)
        self.query_one("#promise-row").display = bool(self.tags)
        self.query_one("#to").focus()

    @on(Input.Submitted)
    def action_send(self) -> None:
        """Send if the message has text."""
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.query_one("#problem", Label).update("Write something first.")
            self.query_one("#text").focus()
            return
        raw = self.query_one("#promise-hours", Input).value.strip()
        try:
            hours = float(raw)
        except ValueError:
            hours = -1.0
        if not 0 < hours <= 24 * 365:
            self.query_one("#problem", Label).update(
                f"How long the promise holds must be a number of hours above 0, not {raw!r}."
            )
            self.query_one("#promise-hours").focus()
            return
        title = self.query_one("#proposal-title", Input).value.strip()
        if title and self.tags and not self.query_one("#forbid", ToggleList).chosen:
            # A proposal promising nothing binds nobody: almost always a promise not ticked.
            self.query_one("#problem", Label).update(
                "A proposal needs a promise: tick one with Space, or clear its title to send a "
                "plain message."
            )
            self.query_one("#forbid").focus()
            return
        self.dismiss(
            message_order(
                self.query_one("#to", ToggleList).chosen,
                text,
                title,
                self.query_one("#forbid", ToggleList).chosen,
                hours,
            )
        )

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)
