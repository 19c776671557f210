"""One wording of state names: the players' rationale lines and the reports share a helper."""

from __future__ import annotations

from actors import wording
from actors.profile import ProfilePolicy
from sim.authoring.loader import load_scenario
from sim.report.labels import short_name, state_labels


def test_players_and_reports_word_state_names_alike() -> None:
    """The labels a player's rationale uses are the reports' labels, ids never leak in."""
    world = load_scenario("korea-instability-2012")
    words = state_labels(world)
    assert wording.labels(ProfilePolicy(world, "rok")) == words
    trust = next(n for n in world.names if n.startswith("trust."))
    _, a, b = trust.split(".")
    assert words[trust] == f"Trust {short_name(world, a)}-{short_name(world, b)}"
    assert short_name(world, "no-such-actor") == "no-such-actor"
