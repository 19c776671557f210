"""Small statistics for batch runs: proportion intervals and bounded streaming distributions.

Everything here is order-independent integer counting or is fed in run-index order by the caller,
so a batch gives the same figures whatever the number of workers.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

Z95 = 1.959963984540054
"""Two-sided 95% standard normal quantile."""


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k/n``.

    Chosen over the textbook Wald interval because it stays inside [0, 1] and keeps its coverage
    for rare outcomes (k = 0 or k = n), which are common in crisis runs.
    """
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At k = 0 (or n) the bound is exactly 0 (or 1); say so rather than print float noise.
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Interval for the difference ``k1/n1 - k2/n2`` (Newcombe's hybrid score, method 10).

    It combines the two Wilson intervals, so it inherits their good behaviour at 0 and 1. It
    assumes independent samples; batch variants share seeds, which correlates them positively, so
    the interval is conservative (slightly too wide), never too narrow.
    """
    p1 = k1 / n1 if n1 else 0.0
    p2 = k2 / n2 if n2 else 0.0
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, lo), min(1.0, hi))


@dataclass(slots=True)
class Distribution:
    """A streaming summary of a quantity with a declared range, in bounded memory.

    Exact while the values seen take at most ``max_distinct`` distinct values (the usual case:
    indicators move in steps of a few points and are clamped), then a fixed histogram of ``bins``
    equal bins over the declared range, so quantiles are within one bin width, e.g. 0.05 on a
    0..100 indicator. The switch loses nothing the histogram needs, so the final figures do not
    depend on the order in which values arrive.
    """

    lo: float
    hi: float
    max_distinct: int = 4096
    bins: int = 2000
    n: int = 0
    total: float = 0.0
    smallest: float = math.inf
    largest: float = -math.inf
    exact: Counter[float] | None = None
    counts: list[int] | None = None

    def __post_init__(self) -> None:
        self.exact = Counter()

    def add(self, x: float) -> None:
        """Count one value."""
        self.n += 1
        self.total += x
        # What min() and max() keep (the first of equals), without their calls: the parent
        # adds ten values a run, as the workers' results arrive.
        if x < self.smallest:
            self.smallest = x
        if x > self.largest:
            self.largest = x
        exact = self.exact
        if exact is not None:
            exact[x] += 1
            if len(exact) > self.max_distinct:
                self._to_histogram()
        else:
            assert self.counts is not None
            self.counts[self._bin(x)] += 1

    def _bin(self, x: float) -> int:
        if self.hi <= self.lo:
            return 0
        i = int((x - self.lo) / (self.hi - self.lo) * self.bins)
        return min(max(i, 0), self.bins - 1)

    def _to_histogram(self) -> None:
        assert self.exact is not None
        self.counts = [0] * self.bins
        for x, c in self.exact.items():
            self.counts[self._bin(x)] += c
        self.exact = None

    @property
    def mean(self) -> float:
        """The arithmetic mean (exact), NaN when empty."""
        return self.total / self.n if self.n else math.nan

    def quantile(self, q: float) -> float:
        """The nearest-rank ``q`` quantile (a value actually seen, while exact); NaN when empty."""
        if self.n == 0:
            return math.nan
        rank = max(1, math.ceil(q * self.n))
        seen = 0
        if self.exact is not None:
            for x in sorted(self.exact):
                seen += self.exact[x]
                if seen >= rank:
                    return x
            return self.largest
        assert self.counts is not None
        width = (self.hi - self.lo) / self.bins
        for i, c in enumerate(self.counts):
            seen += c
            if seen >= rank:
                centre = self.lo + (i + 0.5) * width
                return min(max(centre, self.smallest), self.largest)
        return self.largest
