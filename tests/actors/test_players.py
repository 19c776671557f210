"""The profile player's judgement (issue 15): repetition, agreements, blame, variety, words.

Each test decides from a seat's view (a real one from the flagship, with the events or values a
test needs put in it): the player reasons on what its seat sees, never on the state.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import cache
from typing import Any

from actors import dealing
from actors.profile import ProfilePolicy
from sim.authoring.loader import bundled_catalogues, load_scenario
from sim.engine.build import build
from sim.engine.events import AgreementMade, Answered, MessageSent, MoveMade
from sim.engine.rng import Stream
from sim.engine.session import Session
from sim.engine.state import ActiveCommitment
from sim.engine.view import AgreementView, ProposalView, View, seat_view
from sim.engine.world import World
from sim.models import ActorProfile
from sim.models.script import Commitment, Terms
from sim.record.runner import run

FLAGSHIP = "korea-instability-2012"


@cache
def flagship() -> World:
    return load_scenario(FLAGSHIP)


def with_profile(actor: str, **changes: Any) -> World:
    """The flagship with one profile's top-level fields replaced."""
    base = flagship()
    profiles = {m.profile.id: m.profile for m in base.models.values()}
    profiles[actor] = profiles[actor].model_copy(update=changes)
    world, issues = build(base.scenario, profiles, bundled_catalogues())
    assert world is not None, [i for i in issues if i.severity == "error"]
    return world


def opening(world: World, actor: str) -> tuple[ProfilePolicy, View]:
    """``actor``'s player and its seat's view at the start of round 1."""
    session = Session(world, 0)
    policy = ProfilePolicy(world, actor)
    return policy, seat_view(world, session.state, actor, (), options=False)


def scored(policy: ProfilePolicy, view: View) -> dict[tuple[str, str | None], float]:
    """Every legal option's score after repetition and agreements, by (move, target)."""
    policy._refresh(view.factions)
    values = view.believed
    options, _ = policy._score_all(values, values, policy._kvec, policy.candidates)
    options = [o for o in options if o[2].key in view.legal]
    return {o[2].key: o[0] for o in policy._temper(options, view)}


def test_repetition_lowers_a_moves_score() -> None:
    """tendencies.repetition: each earlier use of a move on the same target lowers its score;
    the same move on another target keeps its worth."""
    policy, view = opening(flagship(), "japan")
    before = scored(policy, view)
    policy.used[("hotline_call", "rok")] = 1
    once = scored(policy, view)
    policy.used[("hotline_call", "rok")] = 3
    thrice = scored(policy, view)
    assert thrice[("hotline_call", "rok")] < once[("hotline_call", "rok")]
    assert once[("hotline_call", "rok")] < before[("hotline_call", "rok")]
    assert once[("hotline_call", "us")] == before[("hotline_call", "us")]


def test_no_repetition_penalty_when_the_profile_says_so() -> None:
    """tendencies.repetition 0: a repeat is worth what the first use was."""
    tend = flagship().models["japan"].profile.tendencies.model_copy(update={"repetition": 0.0})
    policy, view = opening(with_profile("japan", tendencies=tend), "japan")
    before = scored(policy, view)
    policy.used[("hotline_call", "rok")] = 3
    assert scored(policy, view)[("hotline_call", "rok")] == before[("hotline_call", "rok")]


def proposal(sender: str, to: str, bound: list[str], forbid: list[str]) -> ProposalView:
    terms = Terms(commitments=[Commitment(forbid=forbid, bound=bound)])
    return ProposalView("p1.x.1", sender, (sender, to), "test", terms, 2, {sender: True})


def test_a_player_accepts_a_proposal_serving_its_interests_and_rejects_one_that_does_not() -> None:
    """negotiation: the ROK accepts the DPRK's promise not to strike (it is spared the harm and
    gives nothing), and rejects a promise of its own to give up the move it values most now."""
    policy, view = opening(flagship(), "rok")
    scores = scored(policy, view)
    best: dict[str, float] = {}
    for (move, _t), s in scores.items():
        best[move] = max(best.get(move, 0.0), s)
    top = max(best, key=lambda m: best[m])
    spared = proposal("dprk", "rok", ["dprk"], ["strike"])
    good, counter = dealing.answer(policy, view, spared, best)
    assert good.accept and counter is None
    bad, _ = dealing.answer(policy, view, proposal("dprk", "rok", ["rok"], [top]), best)
    assert not bad.accept


def test_a_player_counters_with_the_part_that_serves_it() -> None:
    """A mutual promise covering the ROK's best move and DPRK strikes: rejected, and countered
    with restraint on strikes alone."""
    policy, view = opening(flagship(), "rok")
    policy._refresh(view.factions)
    best = {"stand_down": 1.0}
    prop = proposal("dprk", "rok", ["dprk", "rok"], ["stand_down", "strike"])
    ans, counter = dealing.answer(policy, view, prop, best)
    assert not ans.accept
    assert counter is not None and counter.proposal is not None
    assert counter.to == ["dprk"]
    assert counter.proposal.terms.commitments[0].forbid == ["strike"]


def blamed_rok() -> World:
    rok = flagship().models["rok"].profile
    lines = [
        rl.model_copy(update={"caused_by": ["dprk"]}) if rl.id == "attack_on_territory" else rl
        for rl in rok.red_lines
    ]
    return with_profile("rok", red_lines=lines)


def after_casualties(view: View, mover: str, source: str | None = None) -> View:
    """The view with 8 casualties, caused by ``mover``'s move as the seat saw it."""
    mid = f"m1.{mover}.1"
    events = [
        {"type": "move", "mid": mid, "actor": mover, "move": "artillery_barrage", "seq": 0},
        {"type": "effect", "source": source or mid, "name": "casualties", "delta": 8, "seq": 1},
    ]
    values = dict(view.values)
    values["casualties"] = 8
    return dataclasses.replace(view, events=events, values=values, round=2)


def red_lines_of(policy: ProfilePolicy, view: View) -> list[str]:
    return [c.red_line for c in policy.decide(view, Stream(0, "test")).red_lines]


def test_a_casualty_red_line_fires_only_for_casualties_caused_by_the_named_actor() -> None:
    """red_lines.caused_by: the ROK's 'attack on its territory' answers DPRK fire, not the
    casualties of a failed Chinese operation, nor casualties whose cause it did not see."""
    world = blamed_rok()
    policy, view = opening(world, "rok")
    assert "attack_on_territory" not in red_lines_of(policy.fork(), after_casualties(view, "china"))
    unseen = after_casualties(view, "dprk", source="unknown")
    assert "attack_on_territory" not in red_lines_of(policy.fork(), unseen)
    fired = policy.fork().decide(after_casualties(view, "dprk"), Stream(0, "test"))
    assert "attack_on_territory" in [c.red_line for c in fired.red_lines]
    line = next(w for w in fired.rationale if "red line" in w)
    assert "caused by DPRK" in line and "Casualties" in line  # labels, not ids


def unblamed_rok() -> World:
    rok = flagship().models["rok"].profile
    lines = [rl.model_copy(update={"caused_by": []}) for rl in rok.red_lines]
    return with_profile("rok", red_lines=lines)


def test_without_caused_by_any_casualties_cross_the_red_line() -> None:
    """A red line without caused_by reads casualties whoever caused them."""
    policy, view = opening(unblamed_rok(), "rok")
    assert "attack_on_territory" in red_lines_of(policy, after_casualties(view, "china"))


def agreed(view: View, actor: str, other: str, forbid: tuple[str, ...]) -> View:
    promise = ActiveCommitment(forbid, "all", 1000.0, "")
    ag = AgreementView("p1.x.1", "test", (actor, other), (promise,))
    return dataclasses.replace(view, agreements=(ag,))


def test_keeping_agreements_follows_the_profile_and_a_broken_one_frees_the_player() -> None:
    """negotiation.keep_agreements: a forbidden move loses worth (1: is never played) until
    the other party is seen to breach the agreement."""
    policy, view = opening(flagship(), "japan")
    free = scored(policy, view)
    bound = agreed(view, "japan", "rok", ("hotline_call",))
    kept = scored(policy, bound)
    assert kept[("hotline_call", "rok")] < free[("hotline_call", "rok")]
    neg = flagship().models["japan"].profile.negotiation.model_copy(update={"keep_agreements": 1})
    strict, _ = opening(with_profile("japan", negotiation=neg), "japan")
    assert ("hotline_call", "rok") not in scored(strict, bound)
    breach = {"type": "breach", "agreement": "p1.x.1", "actor": "rok", "mid": "m1.rok.1"}
    strict.memory.update("japan", [breach])
    assert ("hotline_call", "rok") in scored(strict, bound)


def test_two_seeds_give_different_openings_where_the_profile_allows() -> None:
    """tendencies.variety: the flagship's US opening differs across seeds; with no variety and
    no room between options it would not."""
    world = flagship()
    openings = Counter(
        tuple(sorted(e.move for e in run(world, seed, lean=True).log if _first_us(e)))
        for seed in range(12)
    )
    assert len(openings) >= 2, openings


def _first_us(e: object) -> bool:
    return isinstance(e, MoveMade) and e.actor == "us" and e.round == 1


def test_players_propose_answer_and_explain_in_labels() -> None:
    """In computer-played runs of the flagship, players propose agreements, others answer
    them, some come into force, and every rationale names labels and the runner-up."""
    world = flagship()
    proposals = answers = agreements = 0
    for seed in range(4):
        for e in run(world, seed).log:
            if isinstance(e, MessageSent) and e.proposal is not None and e.by == "computer":
                proposals += 1
            elif isinstance(e, Answered) and e.by == "computer":
                answers += 1
            elif isinstance(e, AgreementMade):
                agreements += 1
            elif isinstance(e, MoveMade) and e.rationale and "red line" not in e.rationale:
                assert "preferred to" in e.rationale or "for variety" in e.rationale
                assert world.moves[e.move].type.name in e.rationale  # labels, not ids
    assert proposals and answers and agreements


def test_profiles_default_the_new_tendencies() -> None:
    """Profiles that say nothing get the documented defaults."""
    p = ActorProfile.model_validate(
        flagship().models["us"].profile.model_dump(exclude={"negotiation"}, exclude_unset=True)
    )
    assert p.negotiation.propose and 0 < p.negotiation.keep_agreements < 1
    assert 0 < p.tendencies.repetition < 1 and 0 < p.tendencies.variety < 1


def test_bundled_caused_by_names_bundled_actors() -> None:
    """A misspelt actor in caused_by would silently keep its red line from ever firing."""
    from sim.authoring.library import actor_ids

    known = set(actor_ids())
    for model in flagship().models.values():
        for rl in model.profile.red_lines:
            assert set(rl.caused_by) <= known, (model.id, rl.id, rl.caused_by)
