"""Computer players: a registry of policies, and the baseline policy.

A policy is ``decide(view, rng) -> Decision``: it reads only what its actor sees and draws only from
the stream the engine hands it, so computer play varies by seed and still replays exactly.
"""

from __future__ import annotations

import importlib
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sim.expr import suggest
from sim.models import Orders
from sim.models.script import AnswerOrder, MoveOrder
from sim.rng import Stream
from sim.view import View
from sim.world import World


@dataclass(frozen=True, slots=True)
class Decision:
    """A computer player's orders for one round, with a one-line rationale per move."""

    orders: Orders
    rationale: tuple[str, ...] = ()


class Policy(Protocol):
    """Plays one actor.

    A policy may also have a boolean attribute ``explain_moves``: a lean session (batch runs)
    sets it False, and the policy may then leave its rationale lines out.
    """

    def decide(self, view: View, rng: Stream) -> Decision:
        """Choose this round's orders from the actor's view."""
        ...


PolicyFactory = Callable[[World, str], Policy]
_REGISTRY: dict[str, PolicyFactory] = {}
# Modules that register policies on import; loaded on first lookup so sim/ stays light.
_PROVIDERS = ("actors.policy",)
_loaded = False
_lock = threading.Lock()


def register(name: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Class or function decorator adding a policy factory under ``name``."""

    def deco(factory: PolicyFactory) -> PolicyFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def policy_names() -> list[str]:
    """Every registered policy name."""
    _load_providers()
    return sorted(_REGISTRY)


def make_policy(name: str, world: World, actor: str) -> Policy:
    """Instantiate the policy ``name`` for ``actor``; raise ValueError for an unknown name."""
    problem = check_policy(name)
    if problem is not None:
        raise ValueError(problem)
    return _REGISTRY[name](world, actor)


def check_policy(name: str) -> str | None:
    """An error message if no policy is registered under ``name``."""
    _load_providers()
    if name in _REGISTRY:
        return None
    return f"unknown policy '{name}'{suggest(name, _REGISTRY)} (known: {', '.join(_REGISTRY)})"


def _load_providers() -> None:
    global _loaded
    if _loaded:
        return
    # Under a lock, and marked loaded only afterwards: a second thread (a Dask worker runs
    # several) must never see a half-filled registry and silently fall back to baseline.
    with _lock:
        if _loaded:
            return
        for module in _PROVIDERS:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
        _loaded = True


def legal_options(view: View) -> list[tuple[str, str | None]]:
    """Every (move id, target) the viewing actor may use now."""
    from sim.adjudicate import illegal

    world, state, actor = view.world, view.state, view.actor
    assert actor is not None
    out = []
    for mid in world.usable[actor]:
        for target in world.targets(actor, mid):
            if illegal(world, state, actor, mid, target) is None:
                out.append((mid, target))
    return out


@register("baseline")
class Baseline:
    """Picks one legal move a round, strongly preferring low escalation; accepts proposals from
    actors it trusts. A yardstick for the profile-driven players, not a model of anyone."""

    def __init__(self, world: World, actor: str) -> None:
        self.world = world
        self.actor = actor

    def decide(self, view: View, rng: Stream) -> Decision:
        """One low-escalation move and answers by trust."""
        options = legal_options(view)
        moves: list[MoveOrder] = []
        why: list[str] = []
        if options:
            weights = [math.exp(-self.world.moves[m].type.escalation / 1.5) for m, _ in options]
            move, target = rng.weighted(options, weights)
            moves.append(MoveOrder(move=move, target=target))
            why.append(f"baseline: low-escalation pick among {len(options)} options")
        answers = []
        for p in view.awaiting_answer:
            trust = view.state.values.get(_trust(self.actor, p.sender), 50.0)
            answers.append(AnswerOrder(proposal=p.id, accept=float(trust) >= 40))
        return Decision(Orders(moves=moves, answers=answers), tuple(why))


def _trust(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"trust.{x}.{y}"
