"""Small in-memory worlds for engine tests: YAML text in, compiled World out (no files)."""

from __future__ import annotations

from typing import Any

import yaml

from sim.engine.build import build
from sim.engine.world import World
from sim.models import ActorProfile, Catalogue, Scenario

CITE = [{"source": "S1", "basis": "assumption", "note": "test fixture"}]


def profile(actor: str, **extra: Any) -> ActorProfile:
    """A minimal valid profile for ``actor``."""
    data: dict[str, Any] = {
        "kind": "actor",
        "id": actor,
        "name": actor.upper(),
        "short": actor.upper(),
        "summary": "Test actor.",
        "interests": [
            {
                "id": "calm",
                "label": "Calm",
                "weight": 0.5,
                "wants": [{"indicator": "tension", "direction": "lower"}],
                "cite": CITE,
            }
        ],
        "tendencies": {"risk_tolerance": 0.5, "escalation": 0.3, "cite": CITE},
        "policy": "baseline",
    }
    data.update(extra)
    return ActorProfile.model_validate(data)


BASE = """
kind: scenario
id: mini
title: Mini
summary: A test world.
briefing: Test.
clock: {start: "day 1", round_hours: 6, rounds: 4}
actors: [{id: a}, {id: b}, {id: c}]
indicators:
  - {id: tension, label: Tension, initial: 50}
  - {id: stability, label: Stability, initial: 50}
variables:
  - {id: support, label: Support, initial: 50}
flags: {alarm: false}
moves: {include: [mini]}
end_conditions:
  - {id: done, title: Done, when: "true"}
"""

MOVES = """
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: calm
    name: Calm things
    category: diplomatic
    escalation: 0
    effects: [{change: tension, by: -5}]
  - id: provoke
    name: Provoke
    category: military
    escalation: 5
    duration: 3
    effects: [{change: tension, by: 10}]
  - id: insult
    name: Insult
    category: information
    escalation: 2
    target: actor
    effects: [{change: trust.self.target, by: -10}]
  - id: gamble
    name: Gamble
    category: military
    escalation: 6
    chance: 0.5
    effects: [{change: stability, by: -20}]
    on_failure: [{change: self.support, by: -10}]
  - id: spy
    name: Spy
    category: information
    escalation: 3
    visibility: secret
    detection: 0.5
    target: actor
    effects: [{change: target.support, by: -5}]
  - id: test_bomb
    name: Test a bomb
    category: nuclear
    escalation: 7
    tags: [nuclear_test]
    effects: [{change: tension, by: 20}]
"""


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Shallow-merge a patch into a scenario dict."""
    out = dict(base)
    out.update(patch)
    return out


def world(
    patch: str | dict[str, Any] | None = None,
    moves: str = MOVES,
    profiles: dict[str, ActorProfile] | None = None,
) -> World:
    """Compile the mini scenario with ``patch`` applied; fail loudly on build errors."""
    data = yaml.safe_load(BASE)
    if patch:
        data = merge(data, yaml.safe_load(patch) if isinstance(patch, str) else patch)
    scenario = Scenario.model_validate(data)
    cats = {"mini": Catalogue.model_validate(yaml.safe_load(moves))}
    profs = profiles or {a.id: profile(a.id) for a in scenario.actors}
    built, issues = build(scenario, profs, cats)
    errors = [i for i in issues if i.severity == "error"]
    assert built is not None and not errors, errors
    return built
