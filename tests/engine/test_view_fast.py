"""A seat's view's memoised parts give what working them out afresh gives: each effect's kept
changes (expected_on), and the option lists legal_options keeps per actor, keyed by everything
they are made from, so a hit can never be another seat's list or one made from other values."""

from __future__ import annotations

import math
import random
from collections.abc import Container, Mapping

from sim.authoring.loader import load_scenario
from sim.engine.adjudicate import effect_result, probability
from sim.engine.expr import Value
from sim.engine.session import Session
from sim.engine.state import State
from sim.engine.view import (
    OptionView,
    believed_values,
    expected_on,
    legal_moves,
    legal_options,
)
from sim.engine.world import BoundMove, World
from tests.actors.test_fast_paths import reference_options
from tests.worlds import world as mini_world


def plain_expected(
    world: World, values: Mapping[str, Value], bound: BoundMove, names: Container[str]
) -> dict[str, float]:
    """expected_on as it was written before any memo: a loop over the effects."""
    p = probability(bound.chance.fn(values))
    out: dict[str, float] = {}
    for weight, effects in ((p, bound.effects), (1.0 - p, bound.on_failure)):
        if weight <= 0:
            continue
        for eff in effects:
            if eff.name not in names:
                continue
            old = values[eff.name]
            if isinstance(old, bool):
                delta = float(bool(eff.amount.fn(values))) - float(old)
            else:
                _, delta = effect_result(values, world.ranges, eff)
            out[eff.name] = out.get(eff.name, 0.0) + weight * delta
    return out


def outcome(fn: object, *args: object) -> str:
    """What a call gives, as text: its result's repr or the kind of error it raises."""
    try:
        return repr(fn(*args))  # type: ignore[operator]
    except Exception as exc:  # a flag made a number has no range: both must fail alike
        return type(exc).__name__


def test_expected_on_is_the_plain_loop_bit_for_bit() -> None:
    """On real runs' values and on values changed to zeros of both signs, integers, flags made
    numbers and numbers made flags, every bound move's expected changes equal the plain loop's
    to the bit (repr tells -0.0 from 0.0), however often the same values come back."""
    world = load_scenario("korea-instability-2012")
    rng = random.Random(7)
    bounds = [
        world.bound_move(a, m, t)
        for a in world.actors
        for m in world.usable[a]
        for t in world.targets(a, m)
    ]
    session = Session(world, 0)
    checked = 0
    while not session.over:
        for actor in world.actors:
            values = believed_values(world, session.state, actor)
            variants = [values]
            for _ in range(3):
                odd = dict(values)
                for name in rng.sample(sorted(odd), 12):
                    odd[name] = rng.choice(
                        [0.0, -0.0, 0, 1, 1.0, True, False, 50, 99.9999995, 1e300, math.nan]
                    )
                variants.append(odd)
            names = world.visible[actor]
            for vals in variants:
                for bound in bounds:
                    for _ in range(2):  # the second time from the kept changes
                        assert outcome(expected_on, world, vals, bound, names) == outcome(
                            plain_expected, world, vals, bound, names
                        ), (bound.spec.id, bound.actor)
                        checked += 1
        session.close_round()
    assert checked > 10_000


MOVES = """
kind: catalogue
id: mini
title: Mini moves
moves:
  - {id: wait, name: Wait, category: diplomatic, escalation: 0}
  - id: rally
    name: Rally
    category: diplomatic
    escalation: 0
    requires: "self.support > 40"
    chance: "stability / 100"
    effects: [{change: tension, by: 10}]
  - id: insult
    name: Insult
    category: information
    escalation: 2
    target: actor
    chance: "0.5 + tension / 1000"
    effects: [{change: trust.self.target, by: -10}]
  - id: reset
    name: Reset
    category: diplomatic
    escalation: 0
    effects: [{set: stability, to: "-0.0"}, {change: tension, by: "stability * 0"}]
"""


def mini() -> tuple[World, State]:
    world = mini_world(moves=MOVES)
    return world, Session(world, 1).state


def fresh(world: World, state: State, actor: str) -> tuple[OptionView, ...]:
    """The options worked out now, whatever is kept."""
    return reference_options(world, state, actor)


def test_two_seats_with_different_requirements_get_their_own_lists() -> None:
    """Seat a may rally (its support holds the requirement) and seat b may not, on the same
    state and the same public values: each seat's list is its own, from the first call and
    from the kept lists alike."""
    world, state = mini()
    state.values["a.support"] = 60.0
    state.values["b.support"] = 20.0
    for _ in range(2):
        for actor in ("a", "b", "c"):
            options = legal_options(world, state, actor)
            assert repr(options) == repr(fresh(world, state, actor))
            assert {(o.move, o.target) for o in options} == legal_moves(world, state, actor)
        a, b = legal_options(world, state, "a"), legal_options(world, state, "b")
        assert any(o.move == "rally" for o in a)
        assert not any(o.move == "rally" for o in b)
        assert all(o.target != "a" for o in a) and all(o.target != "b" for o in b)


def test_a_change_of_state_between_rounds_is_never_answered_from_the_old_list() -> None:
    """Each value an option reads (legality, chance, effects), changed, gives the list of the
    new state; changed back, the list of the old one; a round that changes nothing the seat
    reads gives the kept list itself."""
    world, state = mini()
    state.values["a.support"] = 60.0
    first = legal_options(world, state, "a")
    changes: list[tuple[str, Value]] = [
        ("a.support", 30.0),  # rally becomes illegal
        ("stability", 80.0),  # rally's chance
        ("tension", 70.0),  # insult's chance and rally's effect
        ("trust.a.b", 5.0),  # insult's effect on b
    ]
    for name, value in changes:
        before = state.values[name]
        state.values[name] = value
        now = legal_options(world, state, "a")
        assert repr(now) == repr(fresh(world, state, "a"))
        assert now != first, name
        state.values[name] = before
        assert legal_options(world, state, "a") == first
    state.values["round"] = 2  # read by no option of the seat
    assert legal_options(world, state, "a") is first


def test_equal_values_of_other_types_or_signs_are_other_keys() -> None:
    """0.0 and -0.0, 1.0 and True are equal in Python but may make different options (a
    chance of -0.0, setting -0.0 where there was 0.0, a flag's change): each gets its own list,
    equal to the one worked out afresh."""
    world, state = mini()
    state.values["a.support"] = 60.0
    for name, values in (("stability", (0.0, -0.0, 0, False)), ("tension", (1.0, True, 1))):
        for value in (*values, *values):
            state.values[name] = value
            options = legal_options(world, state, "a")
            assert repr(options) == repr(fresh(world, state, "a")), (name, value)
    state.values["stability"] = -0.0
    assert repr([o.chance for o in legal_options(world, state, "a") if o.move == "rally"]) == (
        "[-0.0]"
    )
    bound = world.bound_move("a", "reset", None)
    for value in (0.0, -0.0, 0, 0.0, -0.0):
        state.values["stability"] = value
        (reset,) = [o.expected for o in legal_options(world, state, "a") if o.move == "reset"]
        want = plain_expected(world, state.values, bound, world.visible["a"])
        assert (
            repr(reset)
            == repr(want)
            == repr(expected_on(world, state.values, bound, world.visible["a"]))
        )
    state.values["stability"] = 50.0  # rally's chance, so its effects count
    state.values["tension"] = True
    flagged = [o.expected for o in legal_options(world, state, "a") if o.move == "rally"]
    state.values["tension"] = 1.0
    numeric = [o.expected for o in legal_options(world, state, "a") if o.move == "rally"]
    assert flagged != numeric


def test_what_is_kept_stays_bounded_and_right() -> None:
    """Hundreds of distinct values (a long-lived server's many games) keep at most the limits'
    worth of lists and changes, the oldest dropped, and every answer is still the fresh one."""
    from sim.engine import view

    world, state = mini()
    state.values["a.support"] = 60.0
    for i in range(400):
        state.values["tension"] = i / 4
        assert repr(legal_options(world, state, "a")) == repr(fresh(world, state, "a"))
    plan = world.memo[("option-plan", "a")]
    assert len(plan.memo) == view._PLAN_MEMO_LIMIT
    kept = [len(row[3]) for rows in world.memo[view._ROWS].values() for row in (*rows[1], *rows[2])]
    assert max(kept) == view._MEMO_LIMIT
    state.values["tension"] = 0.25  # dropped long ago: worked out again, the same
    assert repr(legal_options(world, state, "a")) == repr(fresh(world, state, "a"))
