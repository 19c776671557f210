"""Computer players: a registry of policies, and the baseline policy.

A policy is ``decide(view, rng) -> Decision``: it reads only what its actor sees and draws only from
the stream the engine hands it, so computer play varies by seed and still replays exactly.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sim.engine.expr import Value, suggest
from sim.engine.rng import Stream
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders


@dataclass(frozen=True, slots=True)
class RedLineChoice:
    """A red line the player found crossed this round, on what it believes, and its answer."""

    red_line: str
    believed: Mapping[str, Value]
    """The believed values of the names the red line reads."""
    response: str | None
    """The move chosen in response, or None when no response move was possible."""
    target: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A computer player's orders for one round, with a one-line rationale per move and the red
    lines that forced its hand (the engine records each as an event)."""

    orders: Orders
    rationale: tuple[str, ...] = ()
    red_lines: tuple[RedLineChoice, ...] = ()


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
_PROVIDERS = ("sim.players.baseline", "actors.policy")
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
