"""The profile player's fast paths give what their references give."""

from __future__ import annotations

import math
import random

from actors.codegen import _clamp_source, _Reads
from sim.engine.clamp import clamp
from sim.engine.expr import PY_GLOBALS, compile_expr
from sim.engine.rng import Stream


def test_weighted_index_is_weighted() -> None:
    gen = random.Random(18)
    for case in range(2000):
        n = gen.randint(1, 60)
        weights = [gen.choice((0.0, gen.random(), gen.random() * 1e-9)) for _ in range(n)]
        if case % 7 == 0:
            weights = [0.0] * n  # no weight: a uniform choice
        items = [object() for _ in range(n)]
        by_item, by_index = Stream(case, "pick"), Stream(case, "pick")
        for _ in range(3):
            assert items[by_index.weighted_index(weights)] is by_item.weighted(items, weights)


def test_generated_clamp_is_clamp() -> None:
    """Integer bounds compared as floats: the same value, of the same type, for every number."""
    big = 2**53 + 1  # not a float: compared as itself
    bounds = [(0, 100), (0, 1.0), (-5, 5), (0.0, 100.0), (-math.inf, math.inf), (0, big)]
    xs: list[float] = [-1, 0, 1, 99, 100, 101, -0.0, 0.0, 1e-300, 99.99999999999999, 100.0]
    xs += [100.00000000000001, -1e-9, math.nan, math.inf, -math.inf, big, big - 1, float(big)]
    xs += [True, False, 2**64]
    for lo, hi in bounds:
        fn = eval(f"lambda n: {_clamp_source('n', lo, hi)}", dict(PY_GLOBALS))
        for x in xs:
            want, got = clamp(x, lo, hi), fn(x)
            assert type(got) is type(want)
            assert got == want or (math.isnan(got) and math.isnan(want))
            assert math.copysign(1, got) == math.copysign(1, want)


def test_float_literals_keep_every_comparison() -> None:
    """Comparisons of float-valued names with integer literals, written with float literals,
    have the truth of the reference's for ints, floats, flags, NaN and infinities."""
    names = ("a", "b", "c")
    sources = [
        "a < 90 and b >= 30",
        "a + b > 0 or c < -60",
        "-5 <= a < 5 != b",
        "a == 3 or b != -0 or c > 999999999999999",
        "(2 if a < 55 else 0) + (b if c >= 1 else -1)",
        "not (a > 0) and max(a, 1) == 1",
    ]
    samples: list[float] = [-61, -5, -0.0, 0, 3, 3.0, 4.999, 5, 29.999999, 30, 55, 89.5, 90]
    samples += [999999999999999, 10**15, math.nan, math.inf, -math.inf, True, False]
    gen = random.Random(18)
    for text in sources:
        expr = compile_expr(text, names)
        reads = _Reads(frozenset(names))
        fast = reads.inline(expr, "v")
        assert "." in fast  # some literal became a float
        args = ", ".join(reads("v", n) for n in names)
        fn = eval(f"lambda {args}: {fast}", dict(PY_GLOBALS))
        for _ in range(3000):
            values = {n: gen.choice(samples) for n in names}
            try:
                want = expr.fn(values)
            except (ArithmeticError, ValueError):
                continue
            got = fn(*(values[n] for n in names))
            assert got == want or (math.isnan(got) and math.isnan(want))
            assert type(got) is type(want)
