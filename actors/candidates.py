"""What a profile player looks ahead with: each (move, target) an actor may use, with its
static parts precomputed. Shared by the player (:mod:`actors.profile`) and the code generator that
unrolls its scoring (:mod:`actors.codegen`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.engine.expr import Expr
from sim.engine.world import BoundEffect, BoundMove

# A compiled effect for the look-ahead:
# (name, is_add, constant amount or None, effect, lo, hi, is_flag)
Fx = tuple[str, bool, float | None, BoundEffect, float, float, bool]


@dataclass(frozen=True, slots=True, eq=False)
class Candidate:
    """A (move, target) this actor may use in this scenario, with its static parts precomputed.

    Compared by identity: each is made once per world and actor, and options holding equal
    scores (shared bodies) are told apart on every pick without a field-by-field comparison.
    """

    move: str
    target: str | None
    bound: BoundMove
    requires: Expr | None
    chance: float | None
    """The chance when it is a constant; None when it depends on the state."""
    win: tuple[Fx, ...]
    lose: tuple[Fx, ...]
    bias: float
    """Escalation tendency and instrument preference, which do not change during a game."""
    static: bool
    """No effect this actor weighs: the score is ``bias`` whatever the state."""
