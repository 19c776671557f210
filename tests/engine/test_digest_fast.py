"""The round digest written from kept entries (issue 18) is the hash of one ``dumps`` of the
whole snapshot (``State.reference_digest``), round after round and on unusual values."""

from __future__ import annotations

import math

import pytest

from sim.authoring.library import scenarios
from sim.authoring.loader import load_scenario
from sim.engine.kernel import Kernel
from sim.engine.state import State
from sim.record.runner import run


@pytest.mark.parametrize("scenario", [str(e.path) for e in scenarios()])
def test_every_round_digest_equals_the_reference(
    scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[tuple[str, str]] = []
    digest = State.digest

    def both(state: State) -> str:
        fast = digest(state)
        taken.append((fast, state.reference_digest()))
        return fast

    monkeypatch.setattr(State, "digest", both)
    world = load_scenario(scenario)
    for seed in range(3):
        run(world, seed)
    assert taken
    assert all(fast == ref for fast, ref in taken)


def test_unusual_values_and_changes_between_digests() -> None:
    """Integers, flags, non-finite floats, float and int subclasses, names added and values put
    back: each digest still equals the reference."""

    class Float(float):
        def __repr__(self) -> str:
            return "not-json"

    class Int(int):
        def __repr__(self) -> str:
            return "not-json"

    state = Kernel(load_scenario("korea-instability-2012"), 0, lean=True).state
    values = state.values
    name = next(iter(values))
    first = values[name]
    for value in (
        1.5, 7, True, False, 0.1 + 0.2, -0.0, 1e300, 10**30, math.inf, -math.inf, math.nan,
        Float(2.5), Int(3), first,
    ):  # fmt: skip
        values[name] = value
        assert state.digest() == state.reference_digest()
    values["zz.added"] = 1.25  # another set of names: every entry written again
    assert state.digest() == state.reference_digest()
    values["é.added"] = 2.0  # a name the encoder writes unescaped (ensure_ascii=False)
    assert state.digest() == state.reference_digest()
    state.beliefs[next(iter(state.beliefs))]["x"] = (0.5, 6.0)
    state.factions[next(iter(state.factions))]["f"] = 0.25
    state.fired["t1"] = 12.0
    assert state.digest() == state.reference_digest()
