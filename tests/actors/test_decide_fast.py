"""The profile player's fast paths give what their references give."""

from __future__ import annotations

import math
import random

from actors.codegen import _clamp_source
from sim.engine.clamp import clamp
from sim.engine.expr import PY_GLOBALS
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
