"""The project's own players are found without an entry-point scan: the table that finds them
names what pyproject.toml's entry points name."""

from __future__ import annotations

from importlib.metadata import entry_points

from sim.engine.policy import GROUP, OWN_PLAYERS


def test_own_players_match_their_entry_points() -> None:
    declared = {ep.name: ep.value for ep in entry_points(group=GROUP) if ep.name in OWN_PLAYERS}
    assert declared == OWN_PLAYERS
