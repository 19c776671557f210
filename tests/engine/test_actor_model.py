"""Actor models (sim.engine.build_actor): a profile compiled for one scenario, in typed parts."""

from __future__ import annotations

import pytest
import yaml

from sim.engine.build import build
from sim.engine.world import (
    BoundWant,
    CompiledMessage,
    FactionModel,
    FactionShiftRule,
    RedLineRule,
    WeightedInterest,
)
from sim.models import Catalogue
from tests.worlds import CITE, MOVES, profile, world


def test_a_profile_compiles_into_typed_parts() -> None:
    a = profile(
        "a",
        interests=[
            {
                "id": "calm",
                "label": "Calm",
                "weight": 0.5,
                "wants": [
                    {"indicator": "tension", "direction": "lower", "weight": 2},
                    {"indicator": "self.support", "direction": "higher"},
                    {"indicator": "flags.alarm", "direction": "lower"},
                ],
                "cite": CITE,
            }
        ],
        red_lines=[
            {
                "id": "hot",
                "label": "Hot",
                "when": "tension >= 55",
                "response": ["insult", "calm"],
                "target": "b",
                "cite": CITE,
            }
        ],
        factions=[
            {
                "id": "hawks",
                "label": "Hawks",
                "weight": 0.6,
                "interests": {"calm": 2.0},
                "shifts": [{"when": "self.support < 40", "by": 0.1}],
                "cite": CITE,
            }
        ],
        messages=[{"when": "tension > 70", "to": ["b", "a"], "text": "Calm down."}],
    )
    w = world(
        "actors: [{id: a, overrides: {interests: {calm: 0.8}}}, {id: b}, {id: c}]",
        profiles={"a": a, "b": profile("b"), "c": profile("c")},
    )
    model = w.models["a"]
    (interest,) = model.interests
    assert isinstance(interest, WeightedInterest)
    assert (interest.interest.id, interest.weight) == ("calm", 0.8)
    assert interest.wants == (
        BoundWant("tension", -2 / 100),  # normalised by the 0..100 range
        BoundWant("a.support", 1 / 100),
        BoundWant("flags.alarm", -1.0),
    )
    (red_line,) = model.red_lines
    assert isinstance(red_line, RedLineRule)
    assert (red_line.id, red_line.responses, red_line.target) == ("hot", ("insult", "calm"), "b")
    assert red_line.when({"tension": 60})
    (faction,) = model.factions
    assert isinstance(faction, FactionModel)
    assert (faction.id, faction.weight, dict(faction.multipliers)) == ("hawks", 0.6, {"calm": 2.0})
    (shift,) = faction.shifts
    assert isinstance(shift, FactionShiftRule)
    assert shift.by == 0.1
    assert shift.when({"a.support": 30})
    (message,) = model.messages
    assert isinstance(message, CompiledMessage)
    assert (message.to, message.text) == (("b",), "Calm down.")  # never to itself


def test_missing_profiles_and_unknown_policies_are_reported() -> None:
    sc = world().scenario
    scenario = sc.model_copy(
        update={"actors": [*sc.actors[:2], sc.actors[2].model_copy(update={"id": "z"})]}
    )
    profiles = {"a": profile("a"), "b": profile("b", policy="nobody")}
    built, issues = build(
        scenario, profiles, {"mini": Catalogue.model_validate(yaml.safe_load(MOVES))}
    )
    assert built is None
    errors = {(i.origin, i.loc): i.message for i in issues if i.severity == "error"}
    assert errors[("actor:b", ("policy",))].startswith("unknown policy 'nobody'")
    assert errors[("scenario", ("actors", 2, "id"))].startswith("no actor profile 'z'")


@pytest.mark.parametrize("policy", ["baseline", "profile"])
def test_the_model_names_its_player(policy: str) -> None:
    profiles = {a: profile(a, policy=policy) for a in ("a", "b", "c")}
    assert {m.policy for m in world(profiles=profiles).models.values()} == {policy}
