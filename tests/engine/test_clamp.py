"""The one clamp (sim.engine.clamp): its source form for generated code computes it, and the
engine clamps effects and chances with it, rounding effects afterwards."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from sim.engine.adjudicate import effect_result, probability
from sim.engine.clamp import clamp, clamp_source
from sim.engine.expr import PY_GLOBALS, compile_expr
from sim.engine.world import BoundEffect

bounds = st.lists(st.floats(allow_nan=False), min_size=2, max_size=2).map(sorted)
finite_bounds = st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=2).map(sorted)


def same(x: float, y: float) -> bool:
    """Equal, NaN included, and of one type."""
    return type(x) is type(y) and (x == y or (math.isnan(x) and math.isnan(y)))


@given(st.floats(), bounds)
def test_clamp_source_computes_clamp(x: float, lo_hi: list[float]) -> None:
    lo, hi = lo_hi
    got = eval(clamp_source("x", "lo", "hi"), {"x": x, "lo": lo, "hi": hi})
    assert same(got, clamp(x, lo, hi))
    if not math.isnan(x):
        assert clamp(x, lo, hi) == min(max(x, lo), hi)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), finite_bounds, st.booleans())
def test_effects_are_clamped_then_rounded(
    old: float, amount: float, lo_hi: list[float], add: bool
) -> None:
    lo, hi = lo_hi
    effect = BoundEffect("x", "add" if add else "set", compile_expr(amount, ()))
    want = round(clamp(old + amount if add else amount, lo, hi), 6)
    assert effect_result({"x": old}, {"x": (lo, hi)}, effect) == (want, round(want - old, 6))


@given(st.floats())
def test_chances_are_clamped(x: float) -> None:
    assert same(probability(x), clamp(x, 0.0, 1.0))


def test_the_expression_language_clamps_with_it() -> None:
    assert PY_GLOBALS["_f_clamp"] is clamp
    assert compile_expr("clamp(a, 0, 10)", ["a"])({"a": 12.5}) == 10
