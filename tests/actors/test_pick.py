"""The profile player's pick by position gives what the pick by item gives."""

from __future__ import annotations

import random

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
