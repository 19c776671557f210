"""The lazily worked-out best score by move is the dictionary decide used to build at once."""

from __future__ import annotations

import math
import random

from actors.profile import ProfilePolicy, _BestByMove
from sim.authoring.loader import load_scenario


def test_best_by_move_is_the_eager_dictionary() -> None:
    world = load_scenario("korea-instability-2012")
    actor = next(a for a, m in world.models.items() if m.policy == "profile")
    candidates = ProfilePolicy(world, actor).candidates
    rng = random.Random(7)
    pool = [0.0, -0.0, 0.5, -0.5, 0.01, 1.0, math.nan, math.inf, 2e-9]
    for _ in range(500):
        options = [
            (rng.choice(pool), 0.0, rng.choice(candidates)) for _ in range(rng.randint(0, 12))
        ]
        eager: dict[str, float] = {}
        for score, _u, c in options:
            if score > 0.0 and score > eager.get(c.move, 0.0):
                eager[c.move] = score
        lazy = _BestByMove(list(options))
        assert len(lazy) == len(eager)
        assert list(lazy.items()) == list(eager.items())
        assert dict(lazy) == eager
        for c in candidates[:10]:
            assert lazy.get(c.move) == eager.get(c.move)
            assert (c.move in lazy) is (c.move in eager)
