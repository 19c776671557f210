"""Indicator histories for sparklines, folded from what a seat has seen.

A seat's history must come from its own view: folding the visible ``effect`` events (not the
engine's state) guarantees a chart never shows a value the seat was not told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sim.engine.expr import Value
from sim.engine.world import World


def histories(
    world: World, actor: str | None, events: Iterable[Mapping[str, Any]], names: Iterable[str]
) -> dict[str, list[float]]:
    """Each name's value at the start and at the end of every closed round, then now.

    ``events`` are the actor's redacted events from the start of the log.
    """
    wanted = list(names)
    visible = world.visible[actor] if actor is not None else world.names
    current: dict[str, Value] = {n: world.initial[n] for n in wanted if n in visible}
    out: dict[str, list[float]] = {n: [float(v)] for n, v in current.items()}
    for event in events:
        kind = event["type"]
        if kind == "effect" and event["name"] in current:
            current[event["name"]] = event["value"]
        elif kind == "round_closed":
            for n, v in current.items():
                out[n].append(float(v))
    for n, v in current.items():
        if out[n][-1] != float(v) or len(out[n]) == 1:
            out[n].append(float(v))
    return out


def ladder(
    events: Iterable[Mapping[str, Any]], actors: Iterable[str], rounds: int
) -> dict[str, list[int | None]]:
    """The highest escalation level each actor used in each round (None: no visible move)."""
    out: dict[str, list[int | None]] = {a: [None] * rounds for a in actors}
    for event in events:
        if event["type"] != "move" or event["actor"] not in out:
            continue
        r = int(event["round"]) - 1
        row = out[event["actor"]]
        if 0 <= r < rounds:
            level = int(event["escalation"])
            prev = row[r]
            row[r] = level if prev is None else max(prev, level)
    return out


class _Kept:
    """A fold over a feed that only grows (``View.events`` of one seat): each update reads only
    the events added since the last one. A feed that is not the one read before (its first or
    last event read is not the same object) is read again from the start."""

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self._read = 0
        self._first: object = None
        self._tail: object = None

    def _new(self, events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
        n = self._read
        if n and (
            n > len(events) or events[0] is not self._first or events[n - 1] is not self._tail
        ):
            self._start()
            n = 0
        if events:
            self._read, self._first, self._tail = len(events), events[0], events[-1]
        return events[n:]


class KeptHistories(_Kept):
    """:func:`histories` of a growing feed, kept (equal after every :meth:`update`)."""

    def __init__(self, world: World, actor: str | None, names: Iterable[str]) -> None:
        self.world, self.actor, self.names = world, actor, list(names)
        super().__init__()

    def _start(self) -> None:
        super()._start()
        visible = self.world.visible[self.actor] if self.actor is not None else self.world.names
        self._current = {n: self.world.initial[n] for n in self.names if n in visible}
        self._closed = {n: [float(v)] for n, v in self._current.items()}

    def update(self, events: Sequence[Mapping[str, Any]]) -> dict[str, list[float]]:
        """The histories of ``events``, which extend the events of the last call."""
        current, closed = self._current, self._closed
        for event in self._new(events):
            kind = event["type"]
            if kind == "effect" and event["name"] in current:
                current[event["name"]] = event["value"]
            elif kind == "round_closed":
                for n, v in current.items():
                    closed[n].append(float(v))
        out = {}
        for n, v in current.items():
            points = closed[n]
            out[n] = (
                [*points, float(v)] if points[-1] != float(v) or len(points) == 1 else [*points]
            )
        return out


class KeptLadder(_Kept):
    """:func:`ladder` of a growing feed, kept (equal after every :meth:`update`)."""

    def __init__(self, actors: Iterable[str], rounds: int) -> None:
        self.actors, self.rounds = list(actors), rounds
        super().__init__()

    def _start(self) -> None:
        super()._start()
        self._out: dict[str, list[int | None]] = {a: [None] * self.rounds for a in self.actors}

    def update(self, events: Sequence[Mapping[str, Any]]) -> dict[str, list[int | None]]:
        """The ladder of ``events``, which extend the events of the last call."""
        out = self._out
        for event in self._new(events):
            if event["type"] != "move" or event["actor"] not in out:
                continue
            r = int(event["round"]) - 1
            row = out[event["actor"]]
            if 0 <= r < self.rounds:
                level = int(event["escalation"])
                prev = row[r]
                row[r] = level if prev is None else max(prev, level)
        return {a: list(row) for a, row in out.items()}


def feed_ladder(
    world: World, events: Sequence[Mapping[str, Any]], rounds: int
) -> dict[str, list[int | None]]:
    """:func:`ladder` of control's feed (``View.events``), folded only over the events added
    since the last redraw (kept with the world)."""
    key = ("tui-ladder", rounds)
    kept: KeptLadder | None = world.memo.get(key)
    if kept is None:
        kept = world.memo[key] = KeptLadder(world.actors, rounds)
    return kept.update(events)
