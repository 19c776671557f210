"""The move composer: pick a move type the actor may use now, see what it expects it to do (and
whether it would breach an agreement in force), pick a target, confirm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sim.engine.world import World
from sim.models.script import MoveOrder
from ui.tui.options import MoveOption, TargetOption
from ui.tui.text import actor_name, escalation_style, escape, printable

VISIBILITY = {
    "public": "public: everyone sees it",
    "target": "seen by you and the target",
    "secret": "secret",
}


def details(world: World, actor: str, move: MoveOption, target: TargetOption) -> str:
    """Markup describing one move against one target, as the acting actor understands it."""
    vis = VISIBILITY.get(move.visibility, move.visibility)
    if move.visibility == "secret":
        vis += f": each other actor detects it with {target.detection:.0%} chance"
    when = f"after {move.duration:g}h" if move.duration else "at once"
    lines = [
        f"[b]{escape(move.name)}[/b]",
        f"{move.category} · [{escalation_style(move.escalation)}]escalation "
        f"{move.escalation}[/] · takes effect {when}",
        vis,
        f"Chance of success {target.chance:.0%}",
    ]
    if target.target is not None:
        lines.append(f"Target: {escape(actor_name(world, target.target))}")
    lines.append(f"\n[b]Expected effects[/b] (as {escape(actor_name(world, actor))} sees them):")
    effects = target.effect_lines()
    lines += [f"  {escape(e)}" for e in effects] or ["  none that you can see"]
    if move.description:
        lines.append(f"\n{escape(move.description)}")
    if target.breaks:
        # Before the description would push it below the fold on a small terminal.
        lines.insert(1, f"[b red]⚠ would breach: {escape(', '.join(target.breaks))}[/]")
    return "\n".join(lines)


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised (labels after it keep their case)."""
    return text[:1].upper() + text[1:]


def locked_details(move: MoveOption) -> str:
    """Markup for a move not possible now: what it is and what would unlock it."""
    lines = [
        f"[b]{escape(move.name)}[/b] [dim](not possible now)[/dim]",
        f"{move.category} · [{escalation_style(move.escalation)}]escalation {move.escalation}[/]",
        f"\n🔒 {escape(sentence(move.locked or ''))}.",
    ]
    if move.description:
        lines.append(f"\n{escape(move.description)}")
    return "\n".join(lines)


def matches(move: MoveOption, query: str) -> bool:
    """Whether every word of the filter occurs in the move's name, id or category."""
    hay = f"{move.name} {move.id} {move.category}".lower()
    return all(word in hay for word in query.lower().split())


class MoveComposer(ModalScreen[MoveOrder | None]):
    """Choose one move; dismissed with the order, or None when cancelled.

    Typing filters the list (a catalogue has dozens of moves); the arrows move through it
    while the filter has the focus, Enter picks the highlighted move.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "step(1)", "Next", show=False),
        Binding("up", "step(-1)", "Previous", show=False),
    ]

    def __init__(
        self,
        world: World,
        actor: str,
        options: Sequence[MoveOption],
        heading: str,
        locked: Sequence[MoveOption] = (),
    ) -> None:
        super().__init__(classes="dialog")
        self.world = world
        self.actor = actor
        self.open = len(options)
        """How many of ``options`` are possible now (the locked ones follow them)."""
        self.options = list(options) + list(locked)
        self.shown = list(self.options)
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box composer"):
            yield Label(printable(self.heading), classes="dialog-title", markup=False)
            yield Input(placeholder="Type to filter by name or category", id="filter")
            with Horizontal():
                yield OptionList(*[self._move_option(m) for m in self.shown], id="moves")
                with Vertical(id="move-side"):
                    with VerticalScroll(id="move-details-scroll"):
                        yield Static(
                            "No moves are open to you now." if not self.open else "",
                            id="move-details",
                        )
                    yield Label("Target", id="target-label")
                    yield OptionList(id="targets")
            yield Label(
                "[b]↑↓[/b] choose  [b]Enter[/b] select  [b]Tab[/b] next list  [b]Esc[/b] cancel",
                classes="dialog-keys",
            )
        yield Footer()

    @staticmethod
    def _move_option(move: MoveOption) -> Option:
        if move.locked is not None:
            # Listed, greyed, after the open moves; its details say what would unlock it.
            return Option(f"[dim]{move.escalation:>3}  {escape(move.name)} 🔒[/dim]", id=move.id)
        level = f"[{escalation_style(move.escalation)}]{move.escalation:>3}[/]"
        secret = " [dim](secret)[/dim]" if move.visibility == "secret" else ""
        breaks = " [b red]⚠[/]" if move.breaks else ""
        return Option(f"{level}  {escape(move.name)}{secret}{breaks}", id=move.id)

    def on_mount(self) -> None:
        moves = self.query_one("#moves", OptionList)
        moves.border_title = "esc  move"
        moves.border_subtitle = "esc: escalation 0-10"
        if self.shown:
            moves.highlighted = 0
        self.query_one("#filter").focus()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self.shown = [m for m in self.options if matches(m, event.value)]
        moves = self.query_one("#moves", OptionList)
        moves.set_options([self._move_option(m) for m in self.shown])
        if self.shown:
            moves.highlighted = 0
        else:
            self.query_one("#move-details", Static).update("No move matches the filter.")
            self.query_one("#targets").display = False
            self.query_one("#target-label").display = False

    def action_step(self, by: int) -> None:
        """Arrows move through the moves while the filter has the focus."""
        moves = self.query_one("#moves", OptionList)
        if moves.option_count:
            current = moves.highlighted if moves.highlighted is not None else -by
            moves.highlighted = max(0, min(moves.option_count - 1, current + by))

    @on(Input.Submitted, "#filter")
    def _filter_enter(self) -> None:
        self._chosen_move()

    def _move(self) -> MoveOption | None:
        index = self.query_one("#moves", OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    def _target(self, move: MoveOption) -> TargetOption:
        index = self.query_one("#targets", OptionList).highlighted
        return move.targets[index if index is not None and index < len(move.targets) else 0]

    @on(OptionList.OptionHighlighted, "#moves")
    def _show_move(self) -> None:
        move = self._move()
        if move is None:
            return
        targets = self.query_one("#targets", OptionList)
        if move.locked is not None:
            targets.display = False
            self.query_one("#target-label").display = False
            self.query_one("#move-details", Static).update(locked_details(move))
            return
        aimed = move.targets[0].target is not None
        targets.set_options(
            [
                escape(actor_name(self.world, t.target)) if t.target else "(none)"
                for t in move.targets
            ]
        )
        targets.highlighted = 0
        targets.display = aimed
        self.query_one("#target-label").display = aimed
        self._show_details(move)

    @on(OptionList.OptionHighlighted, "#targets")
    def _show_target(self) -> None:
        move = self._move()
        if move is not None and move.locked is None:
            self._show_details(move)

    def _show_details(self, move: MoveOption) -> None:
        text = details(self.world, self.actor, move, self._target(move))
        self.query_one("#move-details", Static).update(text)

    @on(OptionList.OptionSelected, "#moves")
    def _chosen_move(self) -> None:
        move = self._move()
        if move is None:
            return
        if move.locked is not None:
            self.notify(
                escape(f"{move.name} is not possible now: {move.locked}."), severity="warning"
            )
            return
        if move.targets[0].target is None:
            self.dismiss(MoveOrder(move=move.id))
        else:
            self.query_one("#targets").focus()

    @on(OptionList.OptionSelected, "#targets")
    def _chosen_target(self) -> None:
        move = self._move()
        if move is not None and move.locked is None:
            self.dismiss(MoveOrder(move=move.id, target=self._target(move).target))

    def action_cancel(self) -> None:
        """Close without a move."""
        self.dismiss(None)
