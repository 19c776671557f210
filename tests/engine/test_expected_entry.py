"""``expected_on`` reads a bound move's chance from its rows' memo entry: for a chance that
reads no state name, its probability worked out once. That float must be the probability the
chance gives on any values, for every bound move of every bundled scenario."""

from __future__ import annotations

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.adjudicate import probability
from sim.engine.session import Session
from sim.engine.view import _entry


@pytest.mark.parametrize("scenario", sorted(library.scenario_ids()))
def test_a_kept_chance_is_the_chance_on_any_values(scenario: str) -> None:
    world = load_scenario(scenario)
    values = Session(world, 0).state.values
    checked = 0
    for actor in world.actors:
        for move in world.usable[actor]:
            for target in world.targets(actor, move):
                bound = world.bound_move(actor, move, target)
                entry = _entry(world, bound)
                assert entry[0] is bound and entry is _entry(world, bound)
                chance = entry[3]
                if bound.chance.names:
                    assert chance is bound.chance.fn
                else:
                    assert type(chance) is float
                    assert repr(chance) == repr(probability(bound.chance.fn(values)))
                    checked += 1
    assert checked > 0
