"""What the move composer offers one seat: the moves it may use now, each with its targets and
expected effects as that actor understands them.

Everything comes from the seat's view (``View.options``): the engine rules which moves are legal
and computes chances and expected effects from the seat's *beliefs*, never from values it cannot
see. This module only groups and words them for the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine.view import OptionView, View
from sim.engine.world import World
from sim.report.labels import state_labels


@dataclass(frozen=True, slots=True)
class TargetOption:
    """A move aimed at one target (or none), with what the actor expects it to do."""

    target: str | None
    chance: float
    detection: float
    expected: tuple[tuple[str, float, bool], ...]
    """(label, expected change, is a flag) of the values this actor would know of, largest
    first."""
    breaks: tuple[str, ...] = ()
    """Agreements in force (their titles) the move would breach."""

    def effect_lines(self) -> list[str]:
        """The expected effects in words."""
        return [
            f"{lab}: {'set' if d > 0 else 'cleared'} ({abs(d):.0%} likely)"
            if flag
            else f"{lab}: {d:+g}"
            for lab, d, flag in self.expected
        ]


@dataclass(frozen=True, slots=True)
class MoveOption:
    """A move type this actor may use now."""

    id: str
    name: str
    category: str
    escalation: int
    duration: float
    visibility: str
    description: str
    targets: tuple[TargetOption, ...]
    locked: str | None = None
    """Why it is not possible now, in words (the move's condition); None: it is possible."""

    @property
    def breaks(self) -> bool:
        """Whether any of its targets would breach an agreement in force."""
        return any(t.breaks for t in self.targets)


def move_option(
    world: World, mid: str, targets: tuple[TargetOption, ...] = (), locked: str | None = None
) -> MoveOption:
    """Move ``mid`` as the composer lists it: its public description, with its targets (or,
    locked, the reason it is not possible now)."""
    spec = world.moves[mid].type
    return MoveOption(
        mid,
        spec.name,
        spec.category,
        spec.escalation,
        spec.duration,
        spec.visibility,
        spec.description,
        targets,
        locked,
    )


def target_option(world: World, view: View, option: OptionView) -> TargetOption:
    """One of the view's options, worded."""
    label = state_labels(world)
    titles = {a.id: a.title for a in view.agreements}
    shown = sorted(
        (
            (label.get(n, n), round(d, 1), n.startswith("flags."))
            for n, d in option.expected.items()
            if round(d, 1) != 0
        ),
        key=lambda x: (-abs(x[1]), x[0]),
    )
    return TargetOption(
        option.target,
        option.chance,
        option.detection,
        tuple(shown),
        tuple(titles.get(a, a) for a in option.breaks),
    )


def move_options(world: World, view: View) -> list[MoveOption]:
    """Moves the view's seat may use now with at least one legal target, in catalogue order.

    ``world`` is the public scenario (move names and descriptions); everything that depends on
    the situation comes from ``view``.
    """
    by_move: dict[str, list[TargetOption]] = {}
    for option in view.options:
        by_move.setdefault(option.move, []).append(target_option(world, view, option))
    return [move_option(world, mid, tuple(targets)) for mid, targets in by_move.items()]


def locked_moves(world: World, view: View) -> list[MoveOption]:
    """Moves the seat's actor has in this scenario but may not use now on any target, each with
    the condition that would unlock it in words, in catalogue order.

    Which moves are legal is the engine's ruling (``view.legal``); the condition is the public
    text of the move type, so nothing of a value the seat cannot see is shown.
    """
    from ui.tui.text import condition_text

    actor = view.actor
    if actor is None:
        return []
    open_ = {m for m, _t in view.legal}
    out = []
    # A networked client's label-only world carries no move rules (world.usable is empty):
    # it lists no locked moves rather than guess at conditions it was not sent.
    for mid in world.usable.get(actor, ()):
        if mid in open_:
            continue
        spec = world.moves[mid].type
        why = (
            f"possible when {condition_text(world, spec.requires, actor)}"
            if spec.requires
            else "not possible now"
        )
        out.append(move_option(world, mid, locked=why))
    return out
