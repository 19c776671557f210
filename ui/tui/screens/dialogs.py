"""Small typed dialogs: each is a ``ModalScreen[T]`` dismissed with its answer (None: cancelled)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sim.engine.events import Outcome
from sim.engine.view import ProposalView
from sim.models.script import AnswerOrder
from ui.tui.text import escape, printable
from ui.tui.widgets.seats import ToggleList


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", "Yes", priority=True),
        Binding("escape,n", "answer(False)", "No"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Static(printable(self.detail), markup=False)
        yield Footer()

    def action_answer(self, value: bool) -> None:
        """Close with the answer."""
        self.dismiss(value)


class AnswerDialog(ModalScreen[AnswerOrder | None]):
    """Accept or reject one of the proposals awaiting this seat's answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Accept"),
        Binding("n", "answer(False)", "Reject"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, proposals: Sequence[tuple[ProposalView, str]]) -> None:
        super().__init__(classes="dialog")
        self.proposals = list(proposals)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Answer a proposal", classes="dialog-title")
            yield OptionList(*[Option(text, id=p.id) for p, text in self.proposals], id="proposals")
        yield Footer()

    def action_answer(self, accept: bool) -> None:
        """Answer the highlighted proposal."""
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        pid = options.get_option_at_index(options.highlighted).id
        assert pid is not None
        self.dismiss(AnswerOrder(proposal=pid, accept=accept))

    def action_cancel(self) -> None:
        """Close without answering."""
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class OverrideChoice:
    """Control's forced outcome for one move, with the reason."""

    outcome: Outcome
    note: str


OUTCOMES: tuple[Outcome, ...] = ("success", "failure", "cancelled")


class OverrideDialog(ModalScreen[OverrideChoice | None]):
    """Force the outcome of one move of this round, with a note for the record."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        move: str,
        chance: float,
        roll: float,
        dice: Outcome,
        forced: tuple[Outcome, str] | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.move = move
        self.chance = chance
        self.roll = roll
        self.current = dice
        """What the dice say (the roll against the chance), whatever was forced."""
        self.forced = forced
        """An earlier override of this move: (outcome, note)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(printable(f"Override: {self.move}"), classes="dialog-title", markup=False)
            yield Label(
                f"Roll {self.roll:.2f} against a chance of {self.chance:.0%}: "
                f"the dice say [b]{self.current}[/b].",
                id="override-dice",
            )
            if self.forced is not None:
                note = f" ({escape(self.forced[1])})" if self.forced[1] else ""
                yield Label(
                    f"[b magenta]✎ Overridden[/] to [b]{self.forced[0]}[/b]{note}.",
                    id="override-earlier",
                )
            yield Label("Set the outcome to:")
            yield OptionList(*OUTCOMES, id="outcome")
            yield Input(placeholder="Note for the record (why), Enter to confirm", id="note")
            yield Label("[b]Enter[/b] confirm   [b]Esc[/b] cancel", classes="dialog-keys")
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        shown = self.forced[0] if self.forced is not None else self.current
        options.highlighted = 1 if shown == "success" else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _to_note(self) -> None:
        self.query_one("#note").focus()

    @on(Input.Submitted)
    def _confirm(self) -> None:
        index = self.query_one(OptionList).highlighted
        outcome = OUTCOMES[index if index is not None else 0]
        self.dismiss(OverrideChoice(outcome, self.query_one("#note", Input).value.strip()))

    def action_cancel(self) -> None:
        """Close without overriding."""
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class InjectChoice:
    """An ad hoc inject typed by control."""

    title: str
    text: str
    audience: list[str] | Literal["public"]


class InjectDialog(ModalScreen[InjectChoice | None]):
    """Type an inject for everyone or for chosen actors."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "send", "Send", priority=True),
    ]

    def __init__(self, actors: Sequence[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self.actors = list(actors)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label("Ad hoc inject", classes="dialog-title")
            yield Input(placeholder="Headline", id="title")
            yield Input(placeholder="What the audience reads, Enter to send", id="text")
            yield Label("Audience (none: public)")
            yield ToggleList("told", "-", id="audience")
            yield Label("", id="problem", classes="problem")
            yield Label(
                "[b]Tab[/b] next  [b]Space[/b] add/remove  [b]Enter[/b] in text: send  "
                "[b]Esc[/b] cancel",
                classes="dialog-keys",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audience", ToggleList).set_rows(dict(self.actors))
        self.query_one("#title").focus()

    @on(Input.Submitted, "#title")
    def _to_text(self) -> None:
        self.query_one("#text").focus()

    @on(Input.Submitted, "#text")
    def action_send(self) -> None:
        """Deliver if it has a headline."""
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.query_one("#problem", Label).update("An inject needs a headline.")
            self.query_one("#title").focus()
            return
        audience = self.query_one("#audience", ToggleList).chosen
        self.dismiss(
            InjectChoice(
                title,
                self.query_one("#text", Input).value.strip(),
                audience if audience else "public",
            )
        )

    def action_cancel(self) -> None:
        """Close without an inject."""
        self.dismiss(None)
