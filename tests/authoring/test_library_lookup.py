"""Finding one bundled file does not parse the library (issue 18: start-up speed)."""

from __future__ import annotations

from typing import Any

import pytest

from sim.authoring import library


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed by the library while the test runs."""
    seen: list[str] = []
    original = library.parse

    def counting(text: str, where: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(where)
        return original(text, where, *args, **kwargs)

    monkeypatch.setattr(library, "parse", counting)
    for cached in (library.scenarios, library.actors, library.catalogues):
        cached.cache_clear()
    return seen


def test_finding_one_scenario_parses_no_file(parses: list[str]) -> None:
    """The default scenario, a profile and a catalogue are found from their text alone."""
    path = library.scenario_path(library.DEFAULT_SCENARIO)
    assert path is not None and path.name == f"{library.DEFAULT_SCENARIO}.yaml"
    assert library.actor_path("china") is not None
    assert library.catalogue_path("default") is not None
    assert parses == []


def test_lookup_agrees_with_the_index() -> None:
    """Every id the (parsing) index lists is found at the same path without it."""
    for entry in library.scenarios():
        assert library.scenario_path(entry.id) == entry.path
    for entry in library.actors():
        assert library.actor_path(entry.id) == entry.path
    for entry in library.catalogues():
        assert library.catalogue_path(entry.id) == entry.path
    assert library.scenario_path("no-such-scenario") is None
    assert library.actor_path("no-such-actor") is None
