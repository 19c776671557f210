"""The deals' fast paths give what the plain forms they replace give: a proposal and an answer
are those of the plain algorithm (worth and harm, tag by tag) at every round of real runs, and
orders built directly are the validated ones, attribute for attribute."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from actors import dealing
from actors.profile import ProfilePolicy
from sim.authoring.loader import load_scenario
from sim.engine.session import Session
from sim.engine.view import ProposalView, View, seat_view
from sim.models.script import AnswerOrder, Commitment, Terms


def reference_propose(
    player: ProfilePolicy, view: View, best_by_move: Mapping[str, float]
) -> tuple[str, tuple[str, ...]] | None:
    """:func:`dealing.propose`'s choice by its definition: to each other actor not busy and
    trusted enough, the tags of its moves whose restraint would harm it less than it spares
    this player (by ``worth``), if they would gain too (``harms`` of their public interests);
    the party whose tags together are worth most."""
    world, actor, values = player.world, player.actor, view.believed
    busy = {p for ag in view.agreements for p in ag.parties}
    busy |= {p for pr in view.proposals for p in pr.parties}
    outlook = dealing.Outlook(world, values)
    coef = player._coef
    best: tuple[float, str, tuple[str, ...]] | None = None
    for other in world.actors:
        if other == actor or other not in world.models or other in busy:
            continue
        a, b = sorted((actor, other))
        if float(values.get(f"trust.{a}.{b}", 50.0)) < dealing.TRUST_MIN:
            continue
        theirs = dealing.static_coefficients(world, other)
        pair = (actor, other)
        tags = [
            tag
            for tag in dealing.tags_of(world, other)
            if dealing.harms(world, theirs, actor, (tag,), outlook)
            and dealing.worth(world, values, coef, actor, pair, (tag,), best_by_move, outlook).net
            > dealing.PROPOSE_MIN
        ]
        if tags:
            gain = dealing.worth(world, values, coef, actor, pair, tags, best_by_move, outlook)
            if best is None or gain.net > best[0]:
                best = (gain.net, other, tuple(tags))
    return None if best is None else (best[1], best[2])


def reference_answer(
    player: ProfilePolicy, view: View, prop: ProposalView, best_by_move: Mapping[str, float]
) -> tuple[bool, tuple[str, ...] | None]:
    """:func:`dealing.answer`'s choice as it was first written: every tag weighed alone."""
    values = view.believed
    coef = player._coef
    utility = 0.0
    for eff in prop.terms.effects:
        adds = bool(eff.change)
        amount = eff.by if adds else eff.to
        if eff.name in coef and isinstance(amount, int | float) and not isinstance(amount, bool):
            delta = float(amount) if adds else float(amount) - float(values[eff.name])
            utility += coef[eff.name] * delta
    keepable: list[str] = []
    world, actor = player.world, player.actor
    outlook = dealing.Outlook(world, values)
    for c in prop.terms.commitments:
        bound = prop.parties if c.bound == "all" else tuple(c.bound)
        w = dealing.worth(world, values, coef, actor, bound, c.forbid, best_by_move, outlook)
        utility += w.net
        for tag in c.forbid:
            part = dealing.worth(world, values, coef, actor, bound, (tag,), best_by_move, outlook)
            if part.net > 0:
                keepable.append(tag)
    a, b = sorted((player.actor, prop.sender))
    utility += (float(values.get(f"trust.{a}.{b}", 50.0)) - 50) / 50 * 0.01
    accept = utility >= 0
    every = {t for c in prop.terms.commitments for t in c.forbid}
    if not accept and keepable and set(keepable) != every and len(prop.parties) == 2:
        return accept, tuple(sorted(set(keepable)))
    return accept, None


def proposes_as_the_reference(
    policy: ProfilePolicy, view: View, best: Mapping[str, float]
) -> tuple[str, tuple[str, ...]] | None:
    """What ``policy`` would propose now (asked afresh of a copy), checked against
    :func:`reference_propose`."""
    player = policy.fork()
    player.considered, player.proposed = -100, {}
    got = dealing.propose(player, view, best)
    want = reference_propose(player, view, best)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.proposal is not None
        assert got.to == [want[0]]
        assert tuple(got.proposal.terms.commitments[0].forbid) == want[1]
    return want


def test_proposals_and_answers_are_the_plain_algorithms_at_every_round() -> None:
    """At every round of real runs, for every computer seat (its own weights, scores drawn at
    random, some of them 0): the proposal it would make now, also with the scores of the
    moves one of another's tags covers set to the harm the tag spares (so that the tag is
    worth nothing, after the look-ahead), and its answer to proposals of one to three tags
    from each other actor, binding both or the sender alone."""
    world = load_scenario("korea-instability-2012")
    rng = random.Random(7)
    seen = {"offers": 0, "counters": 0, "refusals": 0}
    for seed in (0, 1, 2):
        session = Session(world, seed)
        while not session.over:
            session.close_round()
            for actor, policy in session.computer._policies.items():
                assert isinstance(policy, ProfilePolicy)
                view = seat_view(world, session.state, actor, (), options=False)
                policy._refresh(view.factions)
                scale = (0.0, 0.2, 0.02, 0.002)
                best = {m: rng.choice(scale) * rng.random() for m in world.usable[actor]}
                best = {m: s for m, s in best.items() if s > 0}
                seen["offers"] += proposes_as_the_reference(policy, view, best) is not None
                outlook = dealing.Outlook(world, view.believed)
                for other in world.actors:
                    tags = dealing.tags_of(world, other) if other in world.models else ()
                    if other == actor or not tags:
                        continue
                    tag = rng.choice(tags)
                    spared = dealing.harm(
                        world, view.believed, policy._coef, other, (tag,), outlook
                    )
                    even = dict(best)
                    even.update((m, spared) for m in dealing.covered(world, actor, (tag,)))
                    proposes_as_the_reference(policy, view, even)
                for other in world.actors:
                    if other == actor or other not in world.models:
                        continue
                    tags = sorted(
                        set(dealing.tags_of(world, other)) | set(dealing.tags_of(world, actor))
                    )
                    for forbid in ([tags[0]], tags[:2], tags[-2:], tags[:3]):
                        for bound in ("all", [other]):
                            terms = Terms(commitments=[Commitment(forbid=forbid, bound=bound)])
                            prop = ProposalView(
                                "p1.x.1", other, (other, actor), "t", terms, 2, {other: True}
                            )
                            ans, counter = dealing.answer(policy.fork(), view, prop, best)
                            accept, keep = reference_answer(policy, view, prop, best)
                            assert ans.accept is accept
                            seen["refusals"] += not accept
                            if keep is None:
                                assert counter is None
                            else:
                                seen["counters"] += 1
                                assert counter is not None and counter.proposal is not None
                                commitment = counter.proposal.terms.commitments[0]
                                assert tuple(commitment.forbid) == keep
    assert all(seen.values()), seen  # each kind of outcome was compared


def same_model(got: Any, want: Any) -> None:
    """``got`` and ``want`` are the same model, down to every nested model's fields (in order),
    fields set, extra and private attributes."""
    assert type(got) is type(want)
    if isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            same_model(g, w)
        return
    if not isinstance(want, BaseModel):
        assert type(got) is type(want)
        assert got == want
        return
    assert list(got.__dict__) == list(want.__dict__)
    for key, value in want.__dict__.items():
        same_model(got.__dict__[key], value)
    assert got.model_fields_set == want.model_fields_set
    assert got.__pydantic_extra__ == want.__pydantic_extra__
    assert got.__pydantic_private__ == want.__pydantic_private__


def test_a_restraint_message_built_directly_is_the_validated_one() -> None:
    assert dealing._DIRECT
    for forbid in (("strike",), ("forces_north", "strike")):
        args = ("us", "US proposes: no strike.", "Mutual restraint: no strike", forbid, 18.0)
        got = dealing.restraint_message(*args, "no strike")
        want = dealing.validated_message(*args, "no strike")
        same_model(got, want)
        assert got == want
        assert got.model_dump_json() == want.model_dump_json()
    # Texts validation would strip are left to validation.
    got = dealing.restraint_message("us", " x ", "t", ("strike",), 18.0, "l")
    assert got.text == "x"


def test_an_answer_built_directly_is_model_constructs() -> None:
    for accept in (True, False):
        got = dealing.answer_order("p1.us.1", accept)
        want = AnswerOrder.model_construct(proposal="p1.us.1", accept=accept)
        same_model(got, want)
        assert got == AnswerOrder(proposal="p1.us.1", accept=accept)
