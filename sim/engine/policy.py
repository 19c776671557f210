"""Computer players: the registry of policies.

A policy is ``decide(view, rng) -> Decision``: it reads only what its actor sees and draws only from
the stream the engine hands it, so computer play varies by seed and still replays exactly.

Players are plug-ins: a distribution names each factory under the entry-point group
``sitroom.players`` (this project's own, ``baseline`` and ``profile``, are in pyproject.toml), and
the registry loads one the first time its name is asked for. :func:`register` adds one in code
(tests, library users) and takes precedence over an entry point of the same name. The project's
own players are found by name without scanning the installed distributions' entry points (a scan
costs a noticeable share of a short run), and take precedence over a plug-in of the same name; the
scan is made only for another name. The engine and the world builder never import a player module.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from sim.engine.expr import Value, suggest
from sim.engine.rng import Stream
from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "sitroom.players"
"""The entry-point group computer players are registered under."""
OWN_PLAYERS = {
    "baseline": "sim.players.baseline:Baseline",
    "profile": "actors.profile:ProfilePolicy",
}
"""This project's players, as its own entry points name them (pyproject.toml; a test keeps the
two the same)."""


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
"""Factories registered in code or already loaded from their entry point."""
_plugins: dict[str, EntryPoint] | None = None
# Under a lock: a Dask worker runs tasks on several threads, and none may see a half-read
# entry-point table or load a player twice. Reentrant: a player module may register() on import.
_lock = threading.RLock()


def register(name: str) -> Callable[[PolicyFactory], PolicyFactory]:
    """Class or function decorator adding a policy factory under ``name``."""

    def deco(factory: PolicyFactory) -> PolicyFactory:
        with _lock:
            _REGISTRY[name] = factory
        return factory

    return deco


def policy_names() -> list[str]:
    """Every policy name, registered in code or by an entry point (none is loaded)."""
    return sorted({*_REGISTRY, *OWN_PLAYERS, *_entry_points()})


def make_policy(name: str, world: World, actor: str) -> Policy:
    """Instantiate the policy ``name`` for ``actor``; raise ValueError for an unknown name."""
    factory = _REGISTRY.get(name) or _load_own(name) or _load(name)
    if factory is None:
        raise ValueError(check_policy(name))
    return factory(world, actor)


def check_policy(name: str) -> str | None:
    """An error message if no policy is known under ``name``; loads nothing."""
    if name in _REGISTRY or name in OWN_PLAYERS or name in _entry_points():
        return None
    known = policy_names()
    return f"unknown policy '{name}'{suggest(name, known)} (known: {', '.join(known)})"


def _entry_points() -> Mapping[str, EntryPoint]:
    global _plugins
    plugins = _plugins
    if plugins is None:
        with _lock:
            if _plugins is None:
                from importlib.metadata import entry_points

                _plugins = {ep.name: ep for ep in entry_points(group=GROUP)}
            plugins = _plugins
    return plugins


def _load_own(name: str) -> PolicyFactory | None:
    """The factory of this project's player ``name``, imported once; None for another name."""
    where = OWN_PLAYERS.get(name)
    if where is None:
        return None
    module, _, attr = where.partition(":")
    with _lock:
        factory = _REGISTRY.get(name)
        if factory is None:
            factory = _REGISTRY[name] = getattr(importlib.import_module(module), attr)
    return factory


def _load(name: str) -> PolicyFactory | None:
    """The factory behind entry point ``name``, imported once; None when there is none."""
    ep = _entry_points().get(name)
    if ep is None:
        return None
    with _lock:
        factory = _REGISTRY.get(name)
        if factory is None:
            factory = _REGISTRY[name] = cast(PolicyFactory, ep.load())
    return factory
