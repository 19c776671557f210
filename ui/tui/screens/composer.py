"""The move composer: pick a move type the actor may use now, see what it expects it to do,
pick a target, confirm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from sim.models.script import MoveOrder
from sim.world import World
from ui.tui.options import MoveOption, TargetOption
from ui.tui.text import actor_name, escalation_style

VISIBILITY = {"public": "public: everyone sees it",
              "target": "seen by you and the target",
              "secret": "secret"}


def details(world: World, actor: str, move: MoveOption, target: TargetOption) -> str:
    """Markup describing one move against one target, as the acting actor understands it."""
    vis = VISIBILITY.get(move.visibility, move.visibility)
    if move.visibility == "secret":
        vis += f": each other actor detects it with {target.detection:.0%} chance"
    when = f"after {move.duration:g}h" if move.duration else "at once"
    lines = [f"[b]{escape(move.name)}[/b]",
             f"{move.category} · [{escalation_style(move.escalation)}]escalation "
             f"{move.escalation}[/] · takes effect {when}",
             vis,
             f"Chance of success {target.chance:.0%}"]
    if target.target is not None:
        lines.append(f"Target: {escape(actor_name(world, target.target))}")
    lines.append(f"\n[b]Expected effects[/b] (as {escape(actor_name(world, actor))} "
                 "sees them):")
    effects = target.effect_lines()
    lines += [f"  {escape(e)}" for e in effects] or ["  none that you can see"]
    if move.description:
        lines.append(f"\n{escape(move.description)}")
    return "\n".join(lines)


class MoveComposer(ModalScreen[MoveOrder | None]):
    """Choose one move; dismissed with the order, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel"),
                Binding("tab", "focus_next", "Next list", show=False)]

    def __init__(self, world: World, actor: str, options: Sequence[MoveOption],
                 heading: str) -> None:
        super().__init__(classes="dialog")
        self.world = world
        self.actor = actor
        self.options = list(options)
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box composer"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            with Horizontal():
                yield OptionList(*[self._move_option(i, m) for i, m in enumerate(self.options)],
                                 id="moves")
                with Vertical(id="move-side"):
                    with VerticalScroll(id="move-details-scroll"):
                        yield Static("No moves are open to you now." if not self.options
                                     else "", id="move-details")
                    yield Label("Target", id="target-label")
                    yield OptionList(id="targets")
            yield Label("[b]↑↓[/b] choose  [b]Enter[/b] select  [b]Tab[/b] target list  "
                        "[b]Esc[/b] cancel", classes="dialog-keys")
        yield Footer()

    @staticmethod
    def _move_option(index: int, move: MoveOption) -> Option:
        level = f"[{escalation_style(move.escalation)}]{move.escalation:>2}[/]"
        secret = " [dim](secret)[/dim]" if move.visibility == "secret" else ""
        return Option(f"{level} {escape(move.name)}{secret}", id=str(index))

    def on_mount(self) -> None:
        moves = self.query_one("#moves", OptionList)
        if self.options:
            moves.highlighted = 0
        moves.focus()

    def _move(self) -> MoveOption | None:
        index = self.query_one("#moves", OptionList).highlighted
        return self.options[index] if index is not None and self.options else None

    def _target(self, move: MoveOption) -> TargetOption:
        index = self.query_one("#targets", OptionList).highlighted
        return move.targets[index if index is not None and index < len(move.targets) else 0]

    @on(OptionList.OptionHighlighted, "#moves")
    def _show_move(self) -> None:
        move = self._move()
        if move is None:
            return
        targets = self.query_one("#targets", OptionList)
        aimed = move.targets[0].target is not None
        targets.set_options([escape(actor_name(self.world, t.target)) if t.target else "(none)"
                             for t in move.targets])
        targets.highlighted = 0
        targets.display = aimed
        self.query_one("#target-label").display = aimed
        self._show_details(move)

    @on(OptionList.OptionHighlighted, "#targets")
    def _show_target(self) -> None:
        move = self._move()
        if move is not None:
            self._show_details(move)

    def _show_details(self, move: MoveOption) -> None:
        text = details(self.world, self.actor, move, self._target(move))
        self.query_one("#move-details", Static).update(text)

    @on(OptionList.OptionSelected, "#moves")
    def _chosen_move(self) -> None:
        move = self._move()
        if move is None:
            return
        if move.targets[0].target is None:
            self.dismiss(MoveOrder(move=move.id))
        else:
            self.query_one("#targets").focus()

    @on(OptionList.OptionSelected, "#targets")
    def _chosen_target(self) -> None:
        move = self._move()
        if move is not None:
            self.dismiss(MoveOrder(move=move.id, target=self._target(move).target))

    def action_cancel(self) -> None:
        """Close without a move."""
        self.dismiss(None)
