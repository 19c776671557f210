"""round6 is Python's round(x, 6), bit for bit (the logs record its results)."""

from __future__ import annotations

import math
import random
import struct

from hypothesis import given
from hypothesis import strategies as st

from sim.engine.decimals import round6


def same(a: float, b: float) -> bool:
    return struct.pack("<d", a) == struct.pack("<d", b)


def check(x: float) -> None:
    assert same(round6(x), round(x, 6)), (x, round6(x), round(x, 6))


def test_special_values_and_boundaries() -> None:
    """Zeros keep their sign; NaN, infinities, huge and tiny values, exact halves agree."""
    for x in (
        0.0,
        -0.0,
        1e-9,
        -1e-9,
        5e-7,
        -5e-7,
        4.999999e-7,
        1.5e-6,
        2.5e-6,
        0.0000005,
        1.0000005,
        2.0000005,
        1e6,
        -1e6,
        1.1e6,
        1e300,
        -1e300,
        5e-324,
        math.inf,
        -math.inf,
        2.0**40 / 1e6,
        -(2.0**40) / 1e6,
        0.1 + 0.2,
        1 / 3,
        -2 / 3,
    ):
        check(x)
    assert math.isnan(round6(math.nan))
    assert round6(3) == 3 and type(round6(3)) is int  # not a float: Python's own round
    assert same(round6(-1e-9), -0.0)


def test_six_decimal_values_and_their_neighbours() -> None:
    """Every k/1e6 and k/1e6 + 5e-7 (the ties), and their nearest floats either side."""
    for k in range(-300_000, 300_000, 29):
        for base in (k / 1e6, (k + 0.5) / 1e6, k / 1e4, k / 3e5):
            for x in (base, math.nextafter(base, math.inf), math.nextafter(base, -math.inf)):
                check(x)


def test_random_floats_over_the_engine_ranges() -> None:
    """Values, sums and differences as the engine makes them, and uniform draws."""
    rng = random.Random(18)
    for _ in range(60_000):
        scale = rng.choice((1.0, 10.0, 100.0, 1000.0, 1e5))
        a = round(rng.uniform(-scale, scale), rng.randint(0, 8))
        b = round(rng.uniform(-scale, scale), rng.randint(0, 8))
        for x in (a, a + b, a - b, a * b, rng.random(), rng.random() * scale):
            check(x)


@given(st.floats(allow_nan=False))
def test_any_float(x: float) -> None:
    """Any float at all."""
    check(x)


@given(st.integers(-(10**12), 10**12), st.integers(-3, 3))
def test_near_ties(k: int, ulps: int) -> None:
    """Floats a few ulps from a tie k/1e6 + 5e-7, at every magnitude the fast path takes."""
    x = (k + 0.5) / 1e6
    for _ in range(abs(ulps)):
        x = math.nextafter(x, math.inf if ulps > 0 else -math.inf)
    check(x)
