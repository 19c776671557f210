"""Conformance suite: one numbered test per adjudication rule (in the spirit of DATC).

Each test builds a tiny world (tests/worlds.py), plays inputs through the public session API and
asserts on the resulting state or log.
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.engine.events import (
    AgreementMade,
    Breach,
    EffectApplied,
    Ended,
    InjectDelivered,
    MoveMade,
    ProposalClosed,
    Resolved,
    RoundClosed,
    TriggerFired,
)
from sim.engine.rng import uniform
from sim.engine.session import IllegalInput, Session
from sim.engine.state import fold
from sim.models import Orders
from sim.record.log import Log, lines, parse_log
from sim.record.runner import run, verify
from tests.worlds import world

HUMANS = {"a": "human", "b": "human", "c": "human"}


def orders(**kw: Any) -> Orders:
    return Orders.model_validate(kw)


def moves(*specs: str | tuple[str, str]) -> Orders:
    return orders(
        moves=[{"move": s} if isinstance(s, str) else {"move": s[0], "target": s[1]} for s in specs]
    )


def effects(session: Session, name: str) -> list[EffectApplied]:
    return [e for e in session.log if isinstance(e, EffectApplied) and e.name == name]


def text(session: Session) -> str:
    return "\n".join(lines(session.header.to_dict(), session.log))


def test_r01_effect_lands_after_its_duration() -> None:
    """R1: a move's effects land exactly `duration` hours after the decision."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", moves("provoke"))
    s.close_round()
    (eff,) = effects(s, "tension")
    assert eff.t == 3.0
    assert eff.source == "m1.a.1"
    assert s.state.values["tension"] == 60


def test_r02_zero_duration_lands_at_decision_time() -> None:
    """R2: an effect with duration 0 lands at the decision point itself."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", moves("calm"))
    s.close_round()
    assert [e.t for e in effects(s, "tension")] == [0.0]


def test_r03_long_durations_carry_into_later_rounds() -> None:
    """R3: an effect whose duration exceeds the round lands in a later round's interval."""
    patch = (
        "moves: {include: [mini], extra: [{id: slow, name: Slow, category: military, "
        "escalation: 1, duration: 10, effects: [{change: tension, by: 5}]}]}"
    )
    s = Session(world(patch), 1, HUMANS)
    s.submit("a", moves("slow"))
    s.close_round()
    assert effects(s, "tension") == []
    s.close_round()
    (eff,) = effects(s, "tension")
    assert (eff.t, eff.round) == (10.0, 2)


def test_r04_result_does_not_depend_on_submission_order() -> None:
    """R4: simultaneous resolution: the log is the same whoever submits first."""
    logs = []
    for order in (("a", "b"), ("b", "a")):
        s = Session(world(), 3, HUMANS)
        plan = {"a": moves("provoke"), "b": moves(("insult", "a"))}
        for actor in order:
            s.submit(actor, plan[actor])
        s.close_round()
        logs.append(text(s))
    assert logs[0] == logs[1]


def test_r05_changes_are_clamped_to_the_declared_range() -> None:
    """R5: a change never takes a value outside its declared min..max."""
    s = Session(
        world(
            "indicators: [{id: tension, label: T, initial: 95}, "
            "{id: stability, label: S, initial: 50}]"
        ),
        1,
        HUMANS,
    )
    s.submit("a", moves("provoke"))
    s.close_round()
    (eff,) = effects(s, "tension")
    assert (eff.value, eff.delta) == (100.0, 5.0)


def test_r06_chance_decides_success_and_failure_effects_apply() -> None:
    """R6: success iff the keyed roll is below the chance; a failure applies `on_failure`."""
    for seed in range(12):
        s = Session(world(), seed, HUMANS)
        s.submit("a", moves("gamble"))
        s.close_round()
        res = next(e for e in s.log if isinstance(e, Resolved))
        assert res.roll == pytest.approx(uniform(seed, "success", "m1.a.1"), abs=1e-6)
        if res.roll < 0.5:
            assert res.outcome == "success" and s.state.values["stability"] == 30
        else:
            assert res.outcome == "failure" and s.state.values["a.support"] == 40


def test_r07_chance_expressions_read_the_state() -> None:
    """R7: a chance written as an expression is evaluated on the state at decision time."""
    patch = (
        "moves: {include: [mini], extra: [{id: bet, name: Bet, category: economic, "
        "escalation: 1, chance: 'tension / 100', effects: [{change: stability, by: 1}]}]}"
    )
    s = Session(world(patch), 5, HUMANS)
    s.submit("a", moves("bet"))
    s.close_round()
    res = next(e for e in s.log if isinstance(e, Resolved))
    assert res.chance == 0.5


def test_r08_rolls_are_keyed_so_extra_moves_shift_nothing_else() -> None:
    """R8: one actor's extra move does not change any other move's roll."""

    def rolls(extra: bool) -> dict[str, float]:
        s = Session(world(), 11, HUMANS)
        s.submit("a", moves("gamble", "calm") if extra else moves("gamble"))
        s.submit("b", moves("gamble"))
        s.close_round()
        return {e.mid: e.roll for e in s.log if isinstance(e, Resolved)}

    base, more = rolls(False), rolls(True)
    assert more["m1.b.1"] == base["m1.b.1"] and more["m1.a.1"] == base["m1.a.1"]


def test_r09_a_trigger_fires_once_unless_repeatable() -> None:
    """R9: a one-shot trigger fires the first time its condition holds, never again."""
    patch = "triggers: [{id: hot, when: 'tension >= 60', effects: [{change: stability, by: -1}]}]"
    s = Session(world(patch), 1, HUMANS)
    for _ in range(3):
        s.submit("a", moves("provoke"))
        s.close_round()
    assert [e.id for e in s.log if isinstance(e, TriggerFired)] == ["hot"]


def test_r10_repeatable_triggers_respect_their_cooldown() -> None:
    """R10: a repeatable trigger fires again only after its cooldown while its condition holds."""
    patch = (
        "triggers: [{id: hot, when: 'tension >= 60', repeat: true, cooldown: 12, "
        "effects: [{change: stability, by: -1}]}]"
    )
    s = Session(world(patch), 1, HUMANS)
    for _ in range(4):
        s.submit("a", moves("provoke"))
        s.close_round()
    times = [e.t for e in s.log if isinstance(e, TriggerFired)]
    assert times == [3.0, 15.0]


def test_r11_triggers_are_checked_after_every_change() -> None:
    """R11: a trigger fires at the sim time of the change that makes it true, mid-interval."""
    patch = "triggers: [{id: hot, when: 'tension >= 60', inject: {title: Hot}}]"
    s = Session(world(patch), 1, HUMANS)
    s.submit("a", moves("provoke"))
    s.close_round()
    fired = next(e for e in s.log if isinstance(e, TriggerFired))
    inject = next(e for e in s.log if isinstance(e, InjectDelivered))
    assert fired.t == 3.0 and inject.source == "trigger" and inject.seq == fired.seq + 1


def test_r12_scheduled_injects_fire_at_their_time_for_their_audience() -> None:
    """R12: an inject is delivered at its sim time, to its audience, with its effects."""
    patch = (
        "injects: [{id: news, at: 8, title: News, audience: [b], "
        "effects: [{change: stability, by: -10}]}]"
    )
    s = Session(world(patch), 1, HUMANS)
    s.close_round()
    s.close_round()
    inj = next(e for e in s.log if isinstance(e, InjectDelivered))
    assert (inj.t, inj.round, inj.audience) == (8.0, 2, ("b",))
    assert s.view("b").events and any(e["type"] == "inject" for e in s.view("b").events)
    assert not any(e["type"] == "inject" for e in s.view("a").events)
    assert s.state.values["stability"] == 40


def test_r13_injects_on_a_round_boundary_precede_the_next_decision() -> None:
    """R13: an inject at exactly the next decision time is delivered before that decision."""
    s = Session(world("injects: [{id: news, at: 6, title: News}]"), 1, HUMANS)
    s.close_round()
    inj = next(e for e in s.log if isinstance(e, InjectDelivered))
    closed = next(e for e in s.log if isinstance(e, RoundClosed))
    assert inj.seq < closed.seq and inj.round == 1


def test_r14_an_immediate_end_condition_stops_the_run_at_once() -> None:
    """R14: when an immediate end condition holds, the exercise ends at that sim time."""
    patch = (
        "end_conditions: [{id: war, title: War, when: 'tension >= 60', immediate: true}, "
        "{id: done, title: Done, when: 'true'}]"
    )
    s = run(
        world(patch),
        1,
        seats={"a": "script", "b": "script", "c": "script"},
        script=_script({1: {"a": {"moves": [{"move": "provoke"}]}}}),
    )
    ended = next(e for e in s.log if isinstance(e, Ended))
    assert (ended.outcome, ended.t, ended.reason) == ("war", 3.0, "condition")
    assert s.over and sum(isinstance(e, RoundClosed) for e in s.log) == 1
    with pytest.raises(IllegalInput):
        s.close_round()


def test_r15_when_the_clock_runs_out_the_first_true_end_condition_wins() -> None:
    """R15: at the end of the last round, end conditions are checked in order."""
    patch = (
        "end_conditions: [{id: calm, title: Calm, when: 'tension < 40'}, "
        "{id: other, title: Other, when: 'true'}]"
    )
    s = run(world(patch), 1, seats=HUMANS)  # type: ignore[arg-type]
    assert s.state.outcome == "other"
    ended = s.log[-1]
    assert isinstance(ended, Ended) and ended.reason == "clock" and ended.t == 24.0


def test_r16_secret_moves_are_seen_only_by_their_actor_and_detectors() -> None:
    """R16: a secret move is invisible to others unless they detected it."""
    seen_undetected = seen_detected = 0
    for seed in range(30):
        s = Session(world(), seed, HUMANS)
        s.submit("a", moves(("spy", "b")))
        s.close_round()
        res = next(e for e in s.log if isinstance(e, Resolved))
        for observer in ("b", "c"):
            visible = any(e.get("mid") == "m1.a.1" for e in s.view(observer).events)
            assert visible == (observer in res.detected_by)
            seen_detected += visible
            seen_undetected += not visible
        assert any(e.get("mid") == "m1.a.1" for e in s.view("a").events)
    assert seen_detected and seen_undetected  # detection chance 0.5 shows both cases


def test_r17_effects_of_unknown_moves_hide_their_source() -> None:
    """R17: an effect caused by a move the observer does not know shows source 'unknown'."""
    for seed in range(30):
        s = Session(world(), seed, HUMANS)
        s.submit("a", moves(("spy", "b")))
        s.close_round()
        res = next(e for e in s.log if isinstance(e, Resolved))
        if "b" in res.detected_by:
            continue
        # b.support is b's own variable, so b sees the change but not who caused it.
        eff = [e for e in s.view("b").events if e["type"] == "effect"]
        assert eff and all(e["source"] == "unknown" for e in eff)
        # c cannot see b's variables at all.
        assert not [e for e in s.view("c").events if e["type"] == "effect"]
        return
    pytest.fail("no seed left the spy undetected")


def test_r18_targeted_moves_are_seen_by_the_target_not_third_parties() -> None:
    """R18: `visibility: target` shows the move to its actor and target only."""
    patch = (
        "moves: {include: [mini], extra: [{id: warn, name: Warn, category: diplomatic, "
        "escalation: 1, target: actor, visibility: target}]}"
    )
    s = Session(world(patch), 1, HUMANS)
    s.submit("a", moves(("warn", "b")))
    s.close_round()

    def sees(actor: str) -> bool:
        return any(e.get("mid") == "m1.a.1" for e in s.view(actor).events)

    assert sees("a") and sees("b") and not sees("c")


def _proposal(to: list[str], **terms: Any) -> Orders:
    return orders(
        messages=[{"to": to, "text": "deal?", "proposal": {"title": "Deal", "terms": terms}}]
    )


def test_r19_a_proposal_everyone_accepts_becomes_an_agreement() -> None:
    """R19: when every party accepts, the agreement comes into force with its effects."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", _proposal(["b"], effects=[{"change": "tension", "by": -10}]))
    s.close_round()
    assert [p.id for p in s.view("b").awaiting_answer] == ["p1.a.1"]
    s.submit("b", orders(answers=[{"proposal": "p1.a.1", "accept": True}]))
    s.close_round()
    assert any(isinstance(e, AgreementMade) for e in s.log)
    assert s.state.values["tension"] == 40 and "p1.a.1" in s.state.agreements


def test_r20_a_rejected_or_unanswered_proposal_closes() -> None:
    """R20: one rejection closes a proposal; no answer within its rounds lets it expire."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", _proposal(["b"]))
    s.submit("c", _proposal(["b"]))
    s.close_round()
    s.submit("b", orders(answers=[{"proposal": "p1.a.1", "accept": False}]))
    s.close_round()
    s.close_round()
    closed = {e.id: (e.status, e.round) for e in s.log if isinstance(e, ProposalClosed)}
    assert closed == {"p1.a.1": ("rejected", 2), "p1.c.1": ("expired", 3)}


def test_r21_breaking_a_commitment_is_a_breach_that_costs_trust() -> None:
    """R21: a move a commitment forbids is detected as a breach; other parties' trust falls."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", _proposal(["b"], commitments=[{"forbid": ["nuclear_test"], "hours": 100}]))
    s.close_round()
    s.submit("b", orders(answers=[{"proposal": "p1.a.1", "accept": True}]))
    s.close_round()
    before = s.state.values["trust.a.b"]
    s.submit("b", moves("test_bomb"))
    s.close_round()
    (breach,) = [e for e in s.log if isinstance(e, Breach)]
    assert (breach.actor, breach.agreement, breach.move) == ("b", "p1.a.1", "test_bomb")
    assert s.state.values["trust.a.b"] == before - 20


def test_r22_illegal_orders_are_refused_and_change_nothing() -> None:
    """R22: unknown moves, unmet preconditions, bad targets and too many moves are refused."""
    patch = (
        "moves: {include: [mini], per_round: 1, extra: [{id: gated, name: G, "
        "category: economic, escalation: 1, requires: 'flags.alarm'}]}"
    )
    s = Session(world(patch), 1, HUMANS)
    bad = [
        moves("nope"),
        moves("gated"),
        moves(("calm", "b")),
        moves("insult"),
        moves("calm", "provoke"),
        moves(("insult", "a")),
    ]
    for o in bad:
        with pytest.raises(IllegalInput) as err:
            s.submit("a", o)
        assert err.value.problems
    assert s.submitted("a") is None and s.log == []


def test_r23_control_overrides_decide_the_outcome() -> None:
    """R23: control can force success or failure, or cancel a move so nothing lands."""
    for outcome, tension in (("cancelled", 50), ("failure", 50), ("success", 60)):
        s = Session(world(), 1, HUMANS)
        s.submit("a", moves("provoke"))
        s.override("m1.a.1", outcome, "umpire")  # type: ignore[arg-type]
        s.close_round()
        res = next(e for e in s.log if isinstance(e, Resolved))
        assert res.outcome == outcome and s.state.values["tension"] == tension


def test_r24_a_paused_exercise_cannot_advance() -> None:
    """R24: while control has paused, rounds cannot close."""
    s = Session(world(), 1, HUMANS)
    s.pause("coffee")
    with pytest.raises(IllegalInput):
        s.close_round()
    s.resume()
    s.close_round()
    assert s.round == 2


def test_r25_control_injects_reach_their_audience_with_effects() -> None:
    """R25: an ad hoc inject by control is delivered now, with its effects, to its audience."""
    from sim.models import Effect

    s = Session(world(), 1, HUMANS)
    s.inject("Flash", "Breaking", ["c"], [Effect(change="tension", by=7)])
    assert s.state.values["tension"] == 57
    assert any(e["type"] == "inject" for e in s.view("c").events)
    assert not any(e["type"] == "inject" for e in s.view("a").events)


def test_r26_faction_weights_shift_when_their_conditions_hold() -> None:
    """R26: a faction's influence moves by its shift each round its condition holds."""
    from tests.worlds import CITE, profile

    hawks = {
        "id": "hawks",
        "label": "Hawks",
        "weight": 0.5,
        "interests": {"calm": 0.5},
        "shifts": [{"when": "tension >= 55", "by": 0.1}],
        "cite": CITE,
    }
    profs = {a: profile(a, factions=[hawks] if a == "a" else []) for a in ("a", "b", "c")}
    s = Session(world(profiles=profs), 1, HUMANS)
    s.submit("b", moves("provoke"))
    s.close_round()
    s.close_round()
    assert s.state.factions["a"]["hawks"] == pytest.approx(0.7)


def test_r27_same_seed_same_bytes_other_seed_other_bytes() -> None:
    """R27: the same scenario, seed and inputs give a byte-identical log; another seed differs."""
    w = world()
    one, two, other = (text(run(w, s)) for s in (42, 42, 43))
    assert one == two and one != other


def test_r28_state_is_a_fold_of_the_log_and_hashes_prove_it() -> None:
    """R28: folding the log from the initial state reproduces the state and every round hash."""
    w = world()
    s = run(w, 9)
    assert fold(w, s.log).digest() == s.state.digest()
    for e in s.log:
        if isinstance(e, RoundClosed):
            assert fold(w, s.log[: e.seq]).digest() == e.hash


def test_r29_replay_verifies_and_names_the_first_tampered_event() -> None:
    """R29: replay reproduces a log exactly; a tampered event is reported by its seq."""
    w = world()
    s = Session(w, 4, {"a": "human"})
    s.submit("a", moves("gamble"))
    s.close_round()
    s.set_seat("b", "human")
    s.submit("b", moves("calm"))
    s.close_round()
    log = parse_log(text(s))
    assert verify(w, log) is None
    victim = next(e for e in log.events if isinstance(e, Resolved))
    rows = text(s).splitlines()
    rows[victim.seq + 1] = rows[victim.seq + 1].replace('"outcome":"', '"outcome":"x')
    tampered = parse_log("\n".join(rows))
    div = verify(w, tampered)
    assert div is not None and div.seq == victim.seq


def test_r30_computer_seats_move_by_seed() -> None:
    """R30: computer seats decide inside the engine and their moves are logged with a reason."""
    s = run(world(), 2)
    made = [e for e in s.log if isinstance(e, MoveMade)]
    assert made and all(e.by == "computer" and e.rationale for e in made)


def _script(rounds: dict[int, Any]) -> Any:
    from sim.models import Script

    return Script.model_validate({"kind": "script", "rounds": rounds})


def test_log_round_trips_through_text() -> None:
    """The log's text parses back to the same events."""
    s = run(world(), 5)
    log = parse_log(text(s))
    assert isinstance(log, Log) and [e.to_dict() for e in log.events] == [
        e.to_dict() for e in s.log
    ]


def test_r31_computer_players_believe_hidden_values_unchanged() -> None:
    """R31: what an actor believes shows hidden indicators at their initial value, not now."""
    patch = (
        "indicators: [{id: tension, label: T, initial: 50}, "
        "{id: stability, label: S, initial: 50, visible_to: [a]}]"
    )
    s = Session(world(patch), 1, HUMANS)
    s.submit("a", moves("gamble"))
    s.override("m1.a.1", "success")
    s.close_round()
    assert s.state.values["stability"] == 30
    assert s.view("a").believed["stability"] == 30
    assert s.view("b").believed["stability"] == 50
    assert "stability" not in s.view("b").values


def test_r32_a_red_line_provokes_once_per_crossing() -> None:
    """R32: a computer player answers a red line when it is crossed, not every round after."""
    from tests.worlds import CITE, profile

    line = {
        "id": "hot",
        "label": "Hot",
        "when": "tension >= 55",
        "response": ["insult"],
        "target": "b",
        "cite": CITE,
    }
    profs = {
        a: profile(a, policy="profile", red_lines=[line] if a == "c" else [])
        for a in ("a", "b", "c")
    }
    s = Session(world(profiles=profs), 1, {"a": "human", "b": "human"})
    for _ in range(4):
        s.submit("a", moves("provoke"))
        s.close_round()
    answers = [
        e
        for e in s.log
        if isinstance(e, MoveMade) and e.actor == "c" and e.rationale and "red line" in e.rationale
    ]
    assert len(answers) == 1


def test_r33_effects_of_private_injects_hide_their_source_from_others() -> None:
    """R33: an inject told only to some actors does not reveal itself through its effects."""
    patch = (
        "injects: [{id: leak, at: 0, title: Leak, audience: [a], "
        "effects: [{change: tension, by: 5}]}]"
    )
    s = Session(world(patch), 1, HUMANS)
    (eff_a,) = [e for e in s.view("a").events if e["type"] == "effect"]
    (eff_b,) = [e for e in s.view("b").events if e["type"] == "effect"]
    assert eff_a["source"] == "inject:leak"
    assert eff_b["source"] == "unknown"


def test_r34_division_by_zero_gives_zero() -> None:
    """R34: `/`, `//` and `%` by zero evaluate to 0 instead of stopping the exercise."""
    from sim.engine.expr import compile_expr

    for src in ("tension / zero", "tension // zero", "tension % zero"):
        assert compile_expr(src, {"tension", "zero"})({"tension": 5, "zero": 0}) == 0


def test_r35_previewing_never_changes_the_game() -> None:
    """R35: looking at the adjudication (preview) before an inject or a seat change leaves the
    log exactly as without looking, and the log still replays."""
    from sim.models import Effect
    from tests.worlds import CITE, profile

    line = {
        "id": "hot",
        "label": "Hot",
        "when": "tension >= 50",
        "response": ["insult"],
        "target": "b",
        "cite": CITE,
    }
    profs = {a: profile(a, policy="profile", red_lines=[line]) for a in ("a", "b", "c")}
    w = world(profiles=profs)

    def play(look: bool) -> str:
        s = Session(w, 8, {"a": "human"})
        for _ in range(3):
            if look:
                s.preview()
            s.inject("News", "", "public", [Effect(change="tension", by=3)])
            if look:
                s.preview()
            s.set_seat("b", "human" if s.round == 2 else "computer")
            s.close_round()
        log = parse_log(text(s))
        assert verify(w, log) is None
        return text(s)

    assert play(True) == play(False)


def test_r36_control_actions_replay_in_their_order() -> None:
    """R36: injects, pauses, overrides and seat changes replay in the order they were made."""
    from sim.models import Effect

    w = world()
    s = Session(w, 2, {"a": "human"})
    s.inject("First", "", "public", [Effect(change="tension", by=1)])
    s.set_seat("b", "human")
    s.submit("a", moves("gamble"))
    s.override("m1.a.1", "failure", "umpire")
    s.pause()
    s.resume()
    s.set_seat("c", "human")
    s.submit("c", moves("calm"))
    s.close_round()
    assert verify(w, parse_log(text(s))) is None


def test_r37_run_time_effects_are_checked_before_anything_is_recorded() -> None:
    """R37: a proposal or control inject with a bad effect is refused whole, up front."""
    from sim.models import Effect

    s = Session(world(), 1, HUMANS)
    bad = _proposal(["b"], effects=[{"change": "tension", "by": "bogus + 1"}])
    assert s.check("a", bad)
    with pytest.raises(IllegalInput):
        s.inject("Flag", "", "public", [Effect(change="flags.alarm", by=1)])
    assert s.log == []


def test_r38_a_cancelled_move_neither_breaches_nor_is_detected() -> None:
    """R38: a move control cancelled never happened: no detection, no breach."""
    s = Session(world(), 1, HUMANS)
    s.submit("a", _proposal(["b"], commitments=[{"forbid": ["nuclear_test"], "hours": 100}]))
    s.close_round()
    s.submit("b", orders(answers=[{"proposal": "p1.a.1", "accept": True}]))
    s.close_round()
    s.submit("b", moves("test_bomb"))
    s.override("m3.b.1", "cancelled", "umpire")
    s.close_round()
    assert not [e for e in s.log if isinstance(e, Breach)]


def test_r39_repeatable_triggers_fire_again_while_their_condition_holds() -> None:
    """R39: a repeatable trigger whose condition keeps holding fires again after its cooldown
    even when nothing it reads changes."""
    patch = "triggers: [{id: steady, when: 'tension >= 50', repeat: true, cooldown: 6}]"
    s = Session(world(patch), 1, HUMANS)
    s.close_round()
    s.close_round()
    assert [e.t for e in s.log if isinstance(e, TriggerFired)] == [0.0, 6.0, 12.0]


def test_r40_an_undetected_secret_breach_goes_unnoticed() -> None:
    """R40: a secret move that breaks a promise is a breach only for those who detected it."""
    commit = [{"forbid": ["spy"], "hours": 100}]
    for seed in range(40):
        s = Session(world(), seed, HUMANS)
        s.submit("a", _proposal(["b"], commitments=commit))
        s.close_round()
        s.submit("b", orders(answers=[{"proposal": "p1.a.1", "accept": True}]))
        s.close_round()
        before = s.state.values["trust.a.b"]
        s.submit("b", moves(("spy", "a")))
        s.close_round()
        detected = "a" in s.state.moves["m3.b.1"].known_by
        seen = any(e["type"] == "breach" for e in s.view("a").events)
        assert seen == detected
        assert (s.state.values["trust.a.b"] < before) == detected


def test_r41_logs_with_malformed_headers_are_refused_clearly() -> None:
    """R41: a header with bad seats or seed is a LogError naming line 1."""
    import json

    from sim.record.log import LogError

    s = run(world(), 1)
    rows = text(s).splitlines()
    for change in ({"seed": "x"}, {"seats": {"a": "robot"}}, {"seats": None}):
        header = json.loads(rows[0]) | change
        with pytest.raises(LogError, match=":1:"):
            parse_log("\n".join([json.dumps(header), *rows[1:]]))
