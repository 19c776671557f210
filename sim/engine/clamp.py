"""The one clamp: a number held to a declared range.

Everything that clamps uses it: the engine applying an effect (``effect_result``) or a chance
(``probability``, both in :mod:`sim.engine.adjudicate`), the expression language's ``clamp()``,
the profile player's look-ahead (``actors/profile.py``) and the scoring code generated for it
(``actors/codegen.py``), which inlines the text of :func:`clamp_source`. The tests hold them to
it (``tests/engine/test_clamp.py``, ``tests/actors/test_lookahead.py``).

Rounding is not part of it, on purpose. The engine rounds an effect's new value, and the change it
records, to 6 decimals after clamping, so the state and the log carry no float noise. The player's
look-ahead does not round, so the changes it weighs may differ from the engine's by less than
1e-6. Rounding there too would shift some scores, hence some choices and the logs that record
them; the logs of a scenario and seed must stay byte-identical, so the two stay as they are.
"""

from __future__ import annotations


def clamp(x: float, lo: float, hi: float) -> float:
    """``x`` held to ``[lo, hi]``: ``lo`` below it, ``hi`` above it, else ``x`` itself (NaN
    included, which compares false both ways)."""
    return lo if x < lo else hi if x > hi else x


def clamp_source(x: str, lo: str, hi: str) -> str:
    """Python source computing ``clamp(x, lo, hi)`` from the sources of its operands, for
    generated code. Each operand appears twice: pass names or literals, not expressions."""
    return f"({lo} if {x} < {lo} else {hi} if {x} > {hi} else {x})"
