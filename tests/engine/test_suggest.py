"""The one "did you mean" behind every unknown-name message."""

from __future__ import annotations

from sim.engine.expr import closest, suggest


def test_suggest_names_the_closest_known_name() -> None:
    assert closest("escalaton", ["tension", "escalation"]) == "escalation"
    assert suggest("escalaton", ["tension", "escalation"]) == "; did you mean 'escalation'?"


def test_suggest_is_silent_when_nothing_is_close() -> None:
    assert closest("zzz", ["tension"]) is None
    assert suggest("zzz", ["tension"]) == ""


def test_suggest_keeps_the_callers_wording() -> None:
    assert suggest("valdate", ["validate"], form=" Did you mean '{}'?") == (
        " Did you mean 'validate'?"
    )
