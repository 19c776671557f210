"""Did the expected player action follow each inject? (control's after-action report)

An inject's ``expected_action`` is free text from the MSEL. The words in it that name a move
(its id or its label) or a move category are what is checked: the inject counts as *followed*
when an actor of its audience (anyone, for a public inject) made such a move after the inject
arrived and no later than the round after the one it arrived in, the audience's next decision
or the one after. When the text names no move or category, the report says so and lists what
the audience did in that window, for the facilitator to judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sim.engine.events import Event, InjectDelivered, MoveMade
from sim.engine.world import World
from sim.models.moves import Category

CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ExpectedAction:
    """One inject with an expected action, and what followed it."""

    inject: str
    title: str
    round: int
    expected: str
    objective: str | None
    followed: bool | None
    """True or False when the expected text names moves or categories; None otherwise."""
    moves: tuple[str, ...]
    """What the audience did in the window: ``ACTOR move (round R)``; matches only if followed."""

    def verdict(self) -> str:
        """One sentence for the report."""
        did = ", ".join(self.moves)
        if self.followed is True:
            return f"followed: {did}"
        if self.followed is False:
            return "not followed" + (f" (the audience did: {did})" if did else " (no moves)")
        return "not checked: the expected action names no move or category" + (
            f"; the audience did: {did}" if did else ""
        )


def wanted(world: World, text: str) -> tuple[set[str], set[str]]:
    """The move ids and categories an expected-action text names."""
    lowered = text.lower()
    words = set(re.findall(r"[a-z][a-z0-9_]*", lowered))
    ids = {m for m in world.moves if m in words}
    ids |= {m for m, spec in world.moves.items() if spec.type.name.lower() in lowered}
    return ids, {c for c in CATEGORIES if c in words}


def expected_actions(events: Sequence[Event], world: World) -> list[ExpectedAction]:
    """Every delivered scheduled inject that states an expected action, with its verdict."""
    specs = {i.id: i for i in world.scenario.injects if i.expected_action}
    out = []
    for k, e in enumerate(events):
        if not (isinstance(e, InjectDelivered) and e.source == "schedule" and e.id in specs):
            continue
        spec = specs[e.id]
        assert spec.expected_action is not None
        ids, cats = wanted(world, spec.expected_action)
        audience = set(world.actors) if e.audience == "public" else set(e.audience)
        window = [
            m
            for m in events[k + 1 :]
            if isinstance(m, MoveMade) and m.round <= e.round + 1 and m.actor in audience
        ]
        hits = [m for m in window if m.move in ids or m.category in cats]
        checkable = bool(ids or cats)
        shown = hits if hits else window
        out.append(
            ExpectedAction(
                inject=e.id,
                title=e.title,
                round=e.round,
                expected=spec.expected_action,
                objective=spec.objective,
                followed=bool(hits) if checkable else None,
                moves=tuple(f"{m.actor} {m.move} (round {m.round})" for m in shown[:6]),
            )
        )
    return out
