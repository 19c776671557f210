"""Strict authoring models for every YAML file sitroom reads."""

from sim.models.actor import ActorProfile
from sim.models.base import Citation, Strict
from sim.models.moves import Catalogue, Effect, MoveType
from sim.models.scenario import Scenario
from sim.models.script import Orders, Script
from sim.models.sources import SourceList

#: The top-level ``kind:`` of each file and the model that validates it.
KINDS: dict[str, type[Strict]] = {
    "scenario": Scenario,
    "actor": ActorProfile,
    "catalogue": Catalogue,
    "script": Script,
    "sources": SourceList,
}

__all__ = [
    "KINDS",
    "ActorProfile",
    "Catalogue",
    "Citation",
    "Effect",
    "MoveType",
    "Orders",
    "Scenario",
    "Script",
    "SourceList",
    "Strict",
]
