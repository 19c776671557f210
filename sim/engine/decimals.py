"""``round(x, 6)`` without the decimal round trip, for the engine's inner loop.

Python rounds a float to 6 decimals by printing it to a correctly rounded decimal string and
reading that back (about 2,500 machine instructions a call); the engine does it ~90 times a
round, for every effect, chance and roll it records. :func:`round6` gives the same float, bit for
bit, from float arithmetic alone: with ``p = x * 1e6`` (one rounding error, far below ``2**-7``
while ``|p| < 2**40``), when ``p`` is not within ``2**-7`` of a half, the integer ``N`` nearest
``p`` is the one nearest the exact ``x * 10**6``, and ``N / 1e6`` (both exact, so the division is
correctly rounded) is the float nearest ``N * 10**-6``, which is what Python's ``round`` returns.
``N`` itself is ``(p + 1.5 * 2**52) - 1.5 * 2**52``: for ``|p| < 2**51`` the sum lies where floats
are the integers, so the addition rounds ``p`` to the nearest one (ties to even, as ``round(p)``
does) and the subtraction is exact; it stays a float, which saves ``round(p)``'s method lookup and
the integer it builds. Everything else (near a half, zero, large, NaN, infinite, or not a float)
goes to ``round`` itself. ``tests/engine/test_decimals.py`` holds the two to each other on about a
million values.
"""

from __future__ import annotations

LIMIT = 2.0**40
"""Above this ``x * 1e6`` could carry an error near 2**-7 (see the module docstring)."""
SHIFT = 1.5 * 2.0**52
"""Added and taken away again, rounds a float below 2**51 to the nearest integer."""
HALF = 0.4921875
"""0.5 - 2**-7: how far from ``x * 1e6`` its nearest integer may be for the fast path."""
MINUS_LIMIT = -LIMIT
MINUS_HALF = -HALF
"""The lower bounds as constants: ``-HALF`` in a test negates, and builds a float, every time."""


def round6(x: float) -> float:
    """``round(x, 6)``, bit for bit, faster for the floats the engine records."""
    if type(x) is float:
        p = x * 1e6
        if MINUS_LIMIT < p < LIMIT:
            n = (p + SHIFT) - SHIFT
            if n and MINUS_HALF < p - n < HALF:
                return n / 1e6
    return round(x, 6)
