"""The profile player's look-ahead clamps with sim.engine.clamp and, unlike the engine, does not
round (see that module): the change it expects of one effect, its reference score and the
generated scorer (whose clamp is the text of clamp_source) all agree with clamp()."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actors.candidates import Candidate
from actors.codegen import compile_scoring, scoring_source
from actors.profile import ProfilePolicy, _delta
from sim.authoring.loader import load_scenario
from sim.engine.clamp import clamp
from sim.engine.expr import compile_expr
from sim.engine.state import State
from sim.engine.world import BoundEffect


@pytest.fixture(scope="module")
def player() -> ProfilePolicy:
    world = load_scenario("korea-instability-2012")
    actor = next(a for a, m in world.models.items() if m.policy == "profile")
    policy = ProfilePolicy(world, actor)
    policy._refresh(State.initial(world).factions[actor])
    return policy


def same(x: float, y: float) -> bool:
    """Equal, NaN included, and of one type."""
    return type(x) is type(y) and (x == y or (math.isnan(x) and math.isnan(y)))


@given(
    old=st.floats(-1e6, 1e6),
    amount=st.floats(),
    lo_hi=st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=2).map(sorted),
    add=st.booleans(),
    chance=st.sampled_from([1.0, 0.25, 1.5, -0.5]),
)
def test_one_effect_is_clamped_as_clamp_does(
    player: ProfilePolicy,
    old: float,
    amount: float,
    lo_hi: list[float],
    add: bool,
    chance: float,
) -> None:
    world = player.world
    name, k = next(
        (n, k) for n, k in player._coef.items() if k and not isinstance(world.initial[n], bool)
    )
    lo, hi = lo_hi
    effect = BoundEffect(name, "add" if add else "set", compile_expr(amount, ()))
    fx = (name, add, amount, effect, lo, hi, False)
    values = {**world.initial, name: old}
    change = clamp(old + amount if add else amount, lo, hi) - old
    assert same(_delta(values, fx), change)

    bound = player.candidates[0].bound  # read only for a chance that is not constant
    candidate = Candidate("m", None, bound, None, chance, (fx,), (), 0.0, False)
    score, utility = player.score(values, candidate)
    if chance >= 1:
        assert same(utility, 0.0 + k * change)
        assert same(score, utility)
    generated = compile_scoring(scoring_source([candidate], [name], player.model.risk_tolerance))
    assert generated is not None
    (got,), _scores = generated(values, values, (k,), [candidate])
    assert same(got[0], score)
    assert same(got[1], utility)
