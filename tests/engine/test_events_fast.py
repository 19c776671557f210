"""The generated event code: positional constructors and ``to_dict`` agree with the dataclass."""

from __future__ import annotations

import dataclasses

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.events import EVENT_TYPES, EffectApplied, Event, dumps, from_dict, positional
from sim.record.runner import run


def generic_dict(e: Event) -> dict[str, object]:
    """to_dict as the base class writes it: every field, tuples as lists."""
    out: dict[str, object] = {"type": e.type}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


def logs() -> list[Event]:
    events: list[Event] = []
    for sid in library.scenario_ids():
        world = load_scenario(sid)
        for seed in range(3):
            events.extend(run(world, seed).log)
    return events


def test_every_event_of_the_bundled_logs_round_trips() -> None:
    """For every logged event: the generated to_dict equals the generic one (keys in the same
    order), the positional constructor rebuilds an equal event, and from_dict reads it back."""
    seen = set()
    for e in logs():
        cls = type(e)
        seen.add(cls)
        data = e.to_dict()
        assert data == generic_dict(e) and list(data) == list(generic_dict(e))
        values = [getattr(e, f.name) for f in dataclasses.fields(e)]
        assert positional(cls)(*values) == e
        assert dumps(from_dict(data).to_dict()) == dumps(data)
    assert len(seen) >= 12  # the bundled scenarios make most kinds of event


def test_positional_events_are_the_same_frozen_dataclass() -> None:
    """A positionally made event is an instance of its class, frozen, equal to a keyword one."""
    made = positional(EffectApplied)(3, 1.5, 2, "m1.us.1", "tension", 40.0, 5.0)
    kw = EffectApplied(
        seq=3, t=1.5, round=2, source="m1.us.1", name="tension", value=40.0, delta=5.0
    )
    assert type(made) is EffectApplied and made == kw and repr(made) == repr(kw)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = 1.0  # type: ignore[misc]
    assert all(callable(positional(c)) for c in EVENT_TYPES.values())
