"""Recipes (scenario + profiles + catalogues) for batch tests, from the mini world's YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.batch.runs import Recipe
from sim.models import Catalogue
from tests.worlds import CITE, MOVES, profile, world

TENSE = {
    "clock": {"start": "day 1", "round_hours": 6, "rounds": 6},
    "end_conditions": [
        {"id": "crisis", "title": "Crisis", "when": "tension >= 75"},
        {"id": "calm", "title": "Calm", "when": "true"},
    ],
    "triggers": [
        {"id": "alarm", "when": "tension >= 60", "effects": [{"set": "flags.alarm", "to": True}]}
    ],
}
"""A world built for what-ifs: escalation pushes tension into crisis (with :func:`players`)."""


def players() -> dict[str, Any]:
    """Profile-driven players that care little about tension, so their escalation tendency
    decides how often they provoke."""
    support = [
        {
            "id": "support",
            "label": "Support",
            "weight": 0.2,
            "cite": CITE,
            "wants": [{"indicator": "self.support", "direction": "higher"}],
        }
    ]
    return {
        a: profile(
            a,
            interests=support,
            policy="profile",
            factions=[{"id": "hawks", "label": "Hawks", "weight": 0.5, "cite": CITE}],
        )
        for a in "abc"
    }


def recipe(patch: dict[str, Any] | None = None, profiles: dict[str, Any] | None = None) -> Recipe:
    """The recipe of ``tests.worlds.world(patch)``, built by the same profiles and catalogue."""
    w = world(patch, profiles=profiles)
    return Recipe(
        w.scenario,
        {m.profile.id: m.profile for m in w.models.values()},
        {"mini": Catalogue.model_validate(yaml.safe_load(MOVES))},
    )


def write_files(folder: Path) -> Path:
    """The what-if world as YAML files (scenario, profiles and catalogue side by side), for the
    command line; returns the scenario's path."""
    r = recipe(TENSE, players())
    docs: dict[str, Any] = {"mini-moves": r.catalogues["mini"], **r.profiles}
    for name, model in docs.items():
        data = model.model_dump(mode="json", exclude_none=True)
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    path = folder / "tense.yaml"
    data = r.scenario.model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
