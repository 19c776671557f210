"""The engine's keyed randomness: the fast paths of `Stream` draw what its definition says."""

from __future__ import annotations

import hashlib
import math

import pytest

from sim.engine.rng import Stream, draw, uniform


def _reference(seed: int, *key: str | int) -> float:
    """The documented definition: BLAKE2b-64 of ``seed|key...``, top 53 bits."""
    text = "|".join(map(str, (seed, *key)))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "little") >> 11) / (1 << 53)


def _weighted(x: float, items: list[int], weights: list[float]) -> int:
    """The plain walk over the weights that :meth:`Stream.weighted` must match bit for bit."""
    x *= sum(weights)
    for item, w in zip(items, weights, strict=True):
        x -= w
        if x < 0:
            return item
    return items[-1]


@pytest.mark.parametrize("seed", [0, 7, -3, 2**47 + 11])
def test_stream_draws_are_uniform_of_the_key_and_count(seed: int) -> None:
    stream = Stream(seed, "policy", "china", 3)
    for n in range(1, 40):
        assert stream.random() == _reference(seed, "policy", "china", 3, n)
    assert uniform(seed, "a", 1) == _reference(seed, "a", 1) == draw(f"{seed}|a|1")


def test_weighted_equals_the_walk() -> None:
    items = list(range(50))
    weights = [math.exp(-(((i % 13) - 6) ** 2) / 3) for i in items]
    weights[10] = 0.0
    for s in range(300):
        a, b = Stream(s, "w"), Stream(s, "w")
        assert a.weighted(items, weights) == _weighted(b.random(), items, weights)


def test_weighted_edge_cases() -> None:
    assert Stream(1, "z").weighted([1, 2, 3], [0.0, 0.0, 0.0]) in (1, 2, 3)
    assert Stream(1, "z").weighted(["only"], [2.0]) == "only"
    with pytest.raises(ValueError, match="weights"):
        Stream(1, "z").weighted([1, 2], [1.0])
