"""A computer seat's quick view (``SeatViews.view``) is the reference view, ``seat_view(...,
options=False)``, to the type, sign and order of every value, at every round of whole runs of
every bundled scenario: fog of war is decided in one place, and the fast path cannot see more."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.session import Session
from sim.engine.state import State
from sim.engine.view import SeatViews, View, redact, seat_view
from sim.record.runner import run


def shown(view: View) -> str:
    """Everything a view holds, as text: ``repr`` tells 1 from 1.0 and True, -0.0 from 0.0, and
    shows each dict's order; the legal set is sorted (a set's order is not its content)."""
    legal = sorted(view.legal, key=lambda mt: (mt[0], mt[1] or ""))
    return repr(dataclasses.replace(view, legal=frozenset())) + repr(legal)


@pytest.mark.parametrize("scenario", sorted(library.scenario_ids()))
def test_quick_views_are_the_reference_views(
    scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = load_scenario(scenario)
    quick = SeatViews.view
    checked = 0

    def both(self: SeatViews, state: State, events: Sequence[Mapping[str, Any]]) -> View:
        nonlocal checked
        got = quick(self, state, events)
        want = seat_view(self.world, state, self.actor, events, options=False)
        assert shown(got) == shown(want)
        assert type(got) is View
        checked += 1
        # A view's dicts are its own: a seat that changes its view changes no later one (the
        # check of the next round's view would fail).
        mine = quick(self, state, events)
        for part in (
            mine.values,
            mine.beliefs,
            mine.factions,
            *(p.answers for p in mine.proposals),
        ):
            assert isinstance(part, dict)
            part.clear()
        return got

    monkeypatch.setattr(SeatViews, "view", both)
    for seed in range(4):
        run(world, seed, lean=seed % 2 == 1)
    assert checked > 0


def test_a_new_state_is_not_answered_from_the_kept_beliefs() -> None:
    """Beliefs are kept while the observations are the very same objects; another state with
    equal observations of other types (1.0 for 1, -0.0 for 0.0) gets its own."""
    world = load_scenario("korea-instability-2012")
    session = Session(world, 0)
    while not session.over and not any(session.state.beliefs.values()):
        session.close_round()
    state = session.state
    actor = next(a for a, seen in state.beliefs.items() if seen)
    views = SeatViews(world, actor)
    first = views.view(state, ())
    other = dataclasses.replace(state, beliefs={a: dict(seen) for a, seen in state.beliefs.items()})
    name, (value, at) = next(iter(other.beliefs[actor].items()))
    odd = -0.0 if value == 0 else float(value) if isinstance(value, int) else value
    other.beliefs[actor][name] = (odd, at)
    second = views.view(other, ())
    assert shown(second) == shown(seat_view(world, other, actor, (), options=False))
    assert shown(views.view(state, ())) == shown(first)


class Shown:
    """A scenario's own policy for a seat, asking for the events given to it here and checking
    at each decision that its view shows what the reference wall gives for the log then."""

    def __init__(
        self,
        session: Session,
        actor: str,
        kinds: frozenset[str],
        names: frozenset[str] | None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.inner = session.computer.policy(actor)
        self.reads_events = kinds
        self.reads_effects_on = names
        self.checked = 0

    def decide(self, view: View, rng: Any) -> Any:
        kinds, names, session = self.reads_events, self.reads_effects_on, self.session
        want = [
            data
            for event in session.log
            if event.type in kinds
            and not (names is not None and event.type == "effect" and event.name not in names)  # type: ignore[attr-defined]
            for data in [redact(event, self.actor, session.state, session.world)]
            if data is not None
        ]
        assert repr(list(view.events)) == repr(want)
        self.checked += 1
        return self.inner.decide(view, rng)


READS: list[tuple[frozenset[str], frozenset[str] | None]] = [
    (frozenset({"move", "effect", "breach"}), None),
    (frozenset({"effect", "move"}), frozenset({"tension", "casualties"})),
    (frozenset({"effect", "move"}), frozenset({"tension", "casualties"})),
    (frozenset({"breach", "proposal_closed"}), None),
    (frozenset({"effect", "inject", "message"}), frozenset({"tension"})),
]


@pytest.mark.parametrize("scenario", sorted(library.scenario_ids()))
def test_each_seat_is_shown_its_redacted_events_of_the_types_it_reads(scenario: str) -> None:
    """However the seats' reads overlap (the log is read once for all of them) and when one
    changes what it reads mid-game (its events are then caught up from the start), each seat is
    shown exactly its redacted events of its types, effects only on its names, in log order."""
    world = load_scenario(scenario)
    session = Session(world, 1)
    wrapped = []
    for i, actor in enumerate(world.actors):
        kinds, names = READS[i % len(READS)]
        shown = Shown(session, actor, kinds, names)
        session.computer._policies[actor] = shown  # type: ignore[assignment]
        wrapped.append(shown)
    rounds = 0
    while not session.over:
        session.close_round()
        rounds += 1
        if rounds == 3:
            wrapped[0].reads_events, wrapped[0].reads_effects_on = READS[1]
    assert rounds > 3
    assert all(shown.checked == rounds for shown in wrapped)
