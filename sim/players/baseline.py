"""The baseline computer player: a yardstick for the profile-driven players, not a model of
anyone."""

from __future__ import annotations

import math

from sim.engine.policy import Decision
from sim.engine.rng import Stream
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import AnswerOrder, MoveOrder


def legal_options(world: World, view: View) -> list[tuple[str, str | None]]:
    """Every (move id, target) the viewing actor may use now, in catalogue order."""
    actor = view.actor
    assert actor is not None
    return [
        (mid, target)
        for mid in world.usable[actor]
        for target in world.targets(actor, mid)
        if (mid, target) in view.legal
    ]


class Baseline:
    """Picks one legal move a round, strongly preferring low escalation; accepts proposals from
    actors it trusts. A yardstick for the profile-driven players, not a model of anyone."""

    def __init__(self, world: World, actor: str) -> None:
        self.world = world
        self.actor = actor

    def decide(self, view: View, rng: Stream) -> Decision:
        """One low-escalation move and answers by trust."""
        options = legal_options(self.world, view)
        moves: list[MoveOrder] = []
        why: list[str] = []
        if options:
            weights = [math.exp(-self.world.moves[m].type.escalation / 1.5) for m, _ in options]
            move, target = rng.weighted(options, weights)
            moves.append(MoveOrder(move=move, target=target))
            why.append(f"baseline: low-escalation pick among {len(options)} options")
        answers = []
        for p in view.awaiting_answer:
            trust = view.believed.get(_trust(self.actor, p.sender), 50.0)
            answers.append(AnswerOrder(proposal=p.id, accept=float(trust) >= 40))
        return Decision(Orders(moves=moves, answers=answers), tuple(why))


def _trust(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"trust.{x}.{y}"
