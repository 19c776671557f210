"""The generated event code: positional constructors and ``to_dict`` agree with the dataclass."""

from __future__ import annotations

import dataclasses

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.events import (
    EVENT_TYPES,
    EffectApplied,
    Event,
    RoundClosed,
    dumps,
    from_dict,
    positional,
)
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
        made = positional(cls)(*values)
        assert type(made) is cls and made == e  # the builder never escapes
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


def reference(cls: type[Event]) -> type:
    """``cls`` as the standard library's frozen, slotted, keyword-only dataclass makes it."""
    spec = [
        (f.name, f.type, dataclasses.field(default=f.default))
        if f.default is not dataclasses.MISSING
        else (f.name, f.type)
        for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, spec, frozen=True, slots=True, kw_only=True)


def test_the_generated_methods_behave_as_dataclass_writes_them() -> None:
    """Events get their methods from one generated module (not one exec per method per class):
    repr, equality, hashing, copying, pickling, ``replace`` and frozenness are the dataclass's."""
    import copy
    import pickle

    for e in {type(e): e for e in logs()}.values():
        cls = type(e)
        values = {f.name: getattr(e, f.name) for f in dataclasses.fields(e)}
        ref = reference(cls)(**values)
        assert repr(e) == repr(ref).replace(ref.__class__.__qualname__, cls.__qualname__, 1)
        assert e == cls(**values) and e != ref and (e == ref) is False
        try:
            assert hash(e) == hash(ref)
        except TypeError:  # a dict-valued field: unhashable in both
            with pytest.raises(TypeError):
                hash(ref)
        for other in (copy.copy(e), copy.deepcopy(e), pickle.loads(pickle.dumps(e))):
            assert type(other) is cls and other == e
        assert (
            dataclasses.is_dataclass(e) and dataclasses.replace(e, seq=e.seq + 1).seq == e.seq + 1
        )
        with pytest.raises(dataclasses.FrozenInstanceError):
            e.seq = 0  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del e.seq  # type: ignore[misc]
        with pytest.raises(TypeError):
            cls(**values, unknown=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            cls(*values.values())  # keyword-only, as declared
    missing = "missing 1 required keyword-only argument: 'hash'"
    with pytest.raises(TypeError, match=missing):
        RoundClosed(seq=1, t=0.0, round=1)  # type: ignore[call-arg]
