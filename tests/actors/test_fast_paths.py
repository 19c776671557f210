"""The players' and seat views' fast paths give what the plain forms they replace give: a seat's
legal options (legality from the grouped
requirements, breaches worked out once per move) are those of the engine's own rulings
(``illegal``, ``breached``), at every round of real runs of every bundled scenario."""

from __future__ import annotations

import random

import pytest

from actors import dealing
from actors.profile import ProfilePolicy
from sim.authoring import library
from sim.authoring.loader import load_scenario
from sim.engine.adjudicate import breached, expected_deltas, illegal, probability
from sim.engine.session import Session
from sim.engine.state import State
from sim.engine.view import (
    OptionView,
    believed_values,
    expected_on,
    legal_moves,
    legal_options,
)
from sim.engine.world import World


def reference_options(world: World, state: State, actor: str) -> tuple[OptionView, ...]:
    """Legal options as the engine's rulings give them, option by option."""
    believed = believed_values(world, state, actor)
    knows = world.visible[actor] | world.sight.by_source
    out = []
    for move in world.usable[actor]:
        mt = world.moves[move].type
        for target in world.targets(actor, move):
            if illegal(world, state, actor, move, target) is not None:
                continue
            bound = world.bound_move(actor, move, target)
            deltas = expected_deltas(world, believed, bound)
            out.append(
                OptionView(
                    move,
                    target,
                    probability(bound.chance(believed)),
                    probability(bound.detection(believed)),
                    {n: d for n, d in deltas.items() if n in knows},
                    tuple(breached(state, actor, mt.id, mt.tags)) if state.agreements else (),
                )
            )
    return tuple(out)


@pytest.mark.parametrize("scenario", library.scenario_ids())
def test_legal_options_are_the_engines_rulings_at_every_round(scenario: str) -> None:
    world = load_scenario(scenario)
    breaks_seen = False
    for seed in (0, 1, 2):
        session = Session(world, seed)
        while not session.over:
            state = session.state
            for actor in world.actors:
                options = legal_options(world, state, actor)
                assert options == reference_options(world, state, actor)
                breaks_seen |= any(o.breaks for o in options)
                assert {(o.move, o.target) for o in options} == legal_moves(world, state, actor)
            session.close_round()
    if scenario == "korea-instability-2012":
        assert breaks_seen  # options that would breach an agreement were compared too


def test_a_players_look_ahead_on_the_names_it_weighs_is_the_engines() -> None:
    """Outlook.loss from the expected changes of the weighed names alone (memoised across the
    session's decisions) equals the loss from the engine's expected_deltas of every name; the
    early-stopping harm test is harm's answer; the harm bound over the weighed names is the
    bound over every name, and bounds the harm (its table's float is the general loop's);
    given_up from the memoised cover equals a move-by-move check, at every round of real
    runs."""
    world = load_scenario("korea-instability-2012")
    tags = dealing.move_tags(world)
    for seed in (0, 1):
        session = Session(world, seed)
        while not session.over:
            session.close_round()
            for actor, policy in session.computer._policies.items():
                assert isinstance(policy, ProfilePolicy)
                values = believed_values(world, session.state, actor)
                outlook = dealing.Outlook(world, values)
                for coef in (policy._coef, dealing.static_coefficients(world, actor)):
                    for other in world.actors:
                        for move in world.usable[other]:
                            worst = 0.0
                            for target in world.targets(other, move):
                                bound = world.bound_move(other, move, target)
                                full = expected_deltas(world, values, bound)
                                part = expected_on(world, values, bound, coef)
                                assert part == {n: x for n, x in full.items() if n in coef}
                                u = sum(coef.get(n, 0.0) * x for n, x in full.items())
                                worst = max(worst, -u)
                            assert outlook.loss(coef, other, move) == worst
                        for tag in dealing.tags_of(world, other):
                            harm = dealing.harm(world, values, coef, other, (tag,), outlook)
                            assert dealing.harms(world, coef, other, (tag,), outlook) is (harm > 0)
                            bound = dealing.Outlook(world, values).harm_bound(coef, other, (tag,))
                            weighs = frozenset(n for n, k in coef.items() if k)
                            assert outlook.harm_bound(coef, other, (tag,), weighs) == bound
                            assert harm <= bound
                            # The bound's table (k * -lo or k * -hi by k's sign, repeated
                            # targets left out) gives the general loop's float.
                            for names in (None, weighs):
                                table = dealing.bound_table(world, other, (tag,), names)
                                assert table is not None
                                general = dealing._worst_bound(world, coef, other, (tag,), names)
                                assert dealing._table_worst(table, coef) == general
                best = {m: 0.01 * i for i, m in enumerate(world.usable[actor])}
                for tag in dealing.tags_of(world, actor):
                    f = {tag}
                    plain = max(
                        (s for m, s in best.items() if m in f or not f.isdisjoint(tags[m])),
                        default=0.0,
                    )
                    assert dealing.given_up(world, [tag], best) == plain


def test_a_players_orders_are_what_model_construct_makes() -> None:
    """The orders a profile player builds directly are Orders.model_construct's, attribute for
    attribute (fields in their order, the fields set, no extra, no private)."""
    from actors.profile import _PLAIN_ORDERS, _orders
    from sim.models import Orders
    from sim.models.script import AnswerOrder, MoveOrder

    assert _PLAIN_ORDERS
    moves = [MoveOrder.model_construct(move="wait", target=None)]
    answers = [AnswerOrder.model_construct(proposal="p1-us-1", accept=True)]
    got = _orders(moves, answers, [])
    want = Orders.model_construct(moves=moves, answers=answers, messages=[])
    assert got == want
    assert list(got.__dict__.items()) == list(want.__dict__.items())
    assert got.model_fields_set == want.model_fields_set
    assert got.__pydantic_extra__ is want.__pydantic_extra__ is None
    assert got.__pydantic_private__ is want.__pydantic_private__ is None
    assert got.model_dump() == want.model_dump()


def test_a_plan_made_from_the_last_one_is_the_plan_made_afresh() -> None:
    """The profile player's plan for a legal set, made from the plan of the legal set before it
    (the keys that differ), leaves out exactly the candidates the set does not hold."""
    world = load_scenario("korea-instability-2012")
    tables = ProfilePolicy(world, "us")._tables
    keys = [c.key for c in tables.candidates]
    rng = random.Random(5)
    for _ in range(200):
        legal = frozenset(k for k in keys if rng.random() < 0.8) | {("no_such_move", None)}
        want = tuple(None if k in legal else False for k in keys)
        assert tables.plan(legal) == want
        assert tables.last_plan == (legal, want) or legal in tables.plans
