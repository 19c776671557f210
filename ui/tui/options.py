"""What the move composer offers one seat: the moves it may use now, each with its targets and
expected effects as that actor understands them.

Legality comes from ``session.check`` and the effect model from ``sim.engine.adjudicate``: the
composer shows the engine's own rules, it never restates them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine.adjudicate import expected_deltas, probability
from sim.engine.session import Session
from sim.models import Orders
from sim.models.script import MoveOrder
from sim.report.labels import state_labels


@dataclass(frozen=True, slots=True)
class TargetOption:
    """A move aimed at one target (or none), with what the actor expects it to do."""

    target: str | None
    chance: float
    detection: float
    expected: tuple[tuple[str, float, bool], ...]
    """(label, expected change, is a flag) of the values this actor can see, largest first."""

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


def move_options(session: Session, actor: str) -> list[MoveOption]:
    """Moves ``actor`` may use now with at least one legal target, in catalogue order."""
    world = session.world
    # The actor's own move is evaluated with the engine's public effect model on the true
    # values; only changes to names this actor can see are shown.
    values = session.state.values
    visible = world.visible[actor]
    label = state_labels(world)
    out = []
    for mid in world.usable[actor]:
        spec = world.moves[mid].type
        targets = []
        for target in world.targets(actor, mid):
            order = Orders(moves=[MoveOrder(move=mid, target=target)])
            if session.check(actor, order):
                continue
            bound = world.bound_move(actor, mid, target)
            deltas = expected_deltas(world, values, bound)
            shown = sorted(
                (
                    (label.get(n, n), round(d, 1), n.startswith("flags."))
                    for n, d in deltas.items()
                    if n in visible and round(d, 1) != 0
                ),
                key=lambda x: (-abs(x[1]), x[0]),
            )
            targets.append(
                TargetOption(
                    target,
                    probability(bound.chance(values)),
                    probability(bound.detection(values)),
                    tuple(shown),
                )
            )
        if targets:
            out.append(
                MoveOption(
                    mid,
                    spec.name,
                    spec.category,
                    spec.escalation,
                    spec.duration,
                    spec.visibility,
                    spec.description,
                    tuple(targets),
                )
            )
    return out
