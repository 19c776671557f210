"""``round(x, 6)`` without the decimal round trip, for the engine's inner loop.

Python rounds a float to 6 decimals by printing it to a correctly rounded decimal string and
reading that back (about 2,500 machine instructions a call); the engine does it ~90 times a
round, for every effect, chance and roll it records. :func:`round6` gives the same float, bit for
bit, from one multiplication and one division: with ``p = x * 1e6`` (one rounding error, far below
``2**-7`` while ``|p| < 2**40``), when ``p`` is not within ``2**-7`` of a half, ``round(p)`` is the
integer ``N`` nearest the exact ``x * 10**6``, and ``N / 1e6`` (both exact, so the division is
correctly rounded) is the float nearest ``N * 10**-6``, which is what Python's ``round`` returns.
Everything else (near a half, zero, large, NaN, infinite, or not a float) goes to ``round``
itself. ``tests/engine/test_decimals.py`` holds the two to each other on about a million values.
"""

from __future__ import annotations

_LIMIT = 2.0**40 / 1e6
"""Above this ``x * 1e6`` could carry an error near 2**-7 (see the module docstring)."""


def round6(x: float) -> float:
    """``round(x, 6)``, bit for bit, faster for the floats the engine records."""
    if type(x) is float and -_LIMIT < x < _LIMIT:
        p = x * 1e6
        n = round(p)
        if n and -0.4921875 < p - n < 0.4921875:  # 0.5 - 2**-7
            return n / 1e6
    return round(x, 6)
