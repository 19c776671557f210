"""Seeded, keyed randomness owned by the engine.

Every random number is a pure function of (seed, key): ``uniform(seed, "success", "m3.china.1")``.
Named keys instead of one sequential generator mean that an extra move by one actor never shifts
anyone else's rolls, that previewing an adjudication does not consume randomness, and that results
are identical across platforms and Python versions (BLAKE2 is specified; ``random.Random`` seeding
of strings is not guaranteed stable).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_SCALE = 1.0 / (1 << 53)
_blake2b = hashlib.blake2b


def uniform(seed: int, *key: str | int) -> float:
    """A float in [0, 1) determined by the seed and the key."""
    return draw(f"{seed}|{'|'.join(map(str, key))}")


def draw(text: str) -> float:
    """``uniform`` of a key already written out as ``f"{seed}|{part}|{part}..."``: the engine's
    rulings spell their keys inline instead of joining a tuple for every roll."""
    digest = _blake2b(text.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "little") >> 11) * _SCALE


class Stream:
    """A named sequence of draws, for code that needs several numbers (a computer player)."""

    __slots__ = ("_count", "_key", "_prefix", "_seed")

    def __init__(self, seed: int, *key: str | int) -> None:
        self._seed = seed
        self._key = "|".join(map(str, key))
        self._prefix = f"{seed}|{self._key}|"
        self._count = 0

    def random(self) -> float:
        """The next float in [0, 1): ``uniform(seed, *key, n)`` for the n-th draw."""
        self._count += 1
        digest = _blake2b(f"{self._prefix}{self._count}".encode(), digest_size=8).digest()
        return (int.from_bytes(digest, "little") >> 11) * _SCALE

    def choice(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[min(int(self.random() * len(items)), len(items) - 1)]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item with probability proportional to its (non-negative) weight."""
        total = sum(weights)
        if total <= 0:
            return self.choice(items)
        x = self.random() * total
        for item, w in zip(items, weights, strict=True):
            x -= w
            if x < 0:
                return item
        return items[-1]
