"""Scenarios the setup screen offers, each loaded only when someone looks at it.

Loading a scenario (YAML, profiles, catalogues, expression compilation) is the slowest thing the
TUI does, so a choice carries a loader, not a world: the setup screen appears first and fills in
the briefing from a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sim.engine.world import World


@dataclass(eq=False)
class ScenarioChoice:
    """A scenario by reference, with a cached loader."""

    ref: str
    """Id or path, as it goes in the log header."""
    title: str
    loader: Callable[[], World] = field(repr=False)
    _world: World | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load(self) -> World:
        """The compiled world (loaded once; raises the loader's error)."""
        with self._lock:  # the preview worker and the start button may ask at the same time
            if self._world is None:
                self._world = self.loader()
            return self._world

    @property
    def loaded(self) -> World | None:
        """The world if already loaded."""
        return self._world

    @classmethod
    def of(cls, world: World, ref: str | None = None) -> ScenarioChoice:
        """A choice for a world already in memory (tests, scripts)."""
        return cls(ref or world.id, world.scenario.title, lambda: world, world)
