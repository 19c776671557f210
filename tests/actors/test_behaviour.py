"""Computer players behave as their documented profiles say, measured over many seeds.

Each test names the profile item and the source it checks. They run the bundled default scenario
(patched where a test needs a particular situation) with every seat played by the computer.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from statistics import mean
from typing import Any

import pytest

from sim.authoring.loader import bundled_catalogues, load_scenario
from sim.engine.build import build
from sim.engine.events import Answered, MoveMade
from sim.engine.session import Session
from sim.engine.world import World
from sim.models import Orders
from sim.record.runner import run

SEEDS = range(1, 41)
BORDER_AND_RELIEF = {
    "open_refugee_camps",
    "seal_border",
    "pla_border_reinforcement",
    "food_aid",
    "reopen_border",
}
REGIME_CHANGE = {"cut_oil", "general_war", "blockade", "precision_strike"}


@cache
def default() -> World:
    return load_scenario("korea-instability-2012")


def patched(**changes: Any) -> World:
    """The default scenario with top-level fields replaced (e.g. indicators, actors)."""
    base = default()
    scenario = base.scenario.model_copy(update=changes)
    profiles = {m.profile.id: m.profile for m in base.models.values()}
    world, issues = build(scenario, profiles, bundled_catalogues())
    assert world is not None, [i for i in issues if i.severity == "error"]
    return world


def moves_by(world: World, actor: str, seeds: range = SEEDS) -> list[MoveMade]:
    out = []
    for seed in seeds:
        out += [e for e in run(world, seed).log if isinstance(e, MoveMade) and e.actor == actor]
    return out


def test_dprk_escalates_more_than_the_us_and_china() -> None:
    """dprk.tendencies.escalation (E21, E8): Pyongyang's mean escalation exceeds Washington's
    and Beijing's across seeds of the default scenario."""
    world = default()
    means = {a: mean(e.escalation for e in moves_by(world, a)) for a in ("dprk", "us", "china")}
    assert means["dprk"] > means["us"], means
    assert means["dprk"] > means["china"], means


def _with_refugees(level: float) -> World:
    inds = [
        i.model_copy(update={"initial": level}) if i.id == "refugee_flow" else i
        for i in default().scenario.indicators
    ]
    return patched(indicators=inds)


def test_china_turns_to_border_control_and_relief_as_refugees_rise() -> None:
    """china.interests.border_stability and red line border_chaos (E7, E9): the share of
    China's moves that control the border or bring relief rises with the refugee flow."""
    shares = []
    for level in (5, 70):
        made = moves_by(_with_refugees(level), "china", range(1, 21))
        shares.append(sum(e.move in BORDER_AND_RELIEF for e in made) / len(made))
    assert shares[1] > shares[0], shares


def test_china_does_not_back_forced_regime_change() -> None:
    """china.interests.us_relationship and buffer (S2: China will not be a tool of regime
    change): China never cuts the lifeline or goes to war against the regime, and rejects a
    proposal whose terms would break the regime."""
    used = Counter(e.move for e in moves_by(default(), "china"))
    assert not (set(used) & REGIME_CHANGE), used
    world = default()
    session = Session(world, 3, {"us": "human"})
    squeeze = {
        "title": "Joint pressure to force a change of leadership",
        "terms": {
            "effects": [
                {"change": "regime_stability", "by": -30},
                {"change": "sanctions", "by": 30},
            ]
        },
    }
    session.submit(
        "us",
        Orders.model_validate(
            {"messages": [{"to": ["china"], "text": "Join us.", "proposal": squeeze}]}
        ),
    )
    session.close_round()
    session.close_round()
    answers = [e for e in session.log if isinstance(e, Answered) and e.actor == "china"]
    assert answers
    assert not answers[0].accept


def test_a_crossed_red_line_forces_its_response() -> None:
    """china.red_lines.allied_forces_north (E7, E11): with US forces already north of the
    line, China's first move is the red line's first response, in every seed."""
    actors = [
        p.model_copy(update={"variables": {"forces_north": 20}}) if p.id == "us" else p
        for p in default().scenario.actors
    ]
    world = patched(actors=actors)
    for seed in range(1, 11):
        first = next(
            e for e in run(world, seed).log if isinstance(e, MoveMade) and e.actor == "china"
        )
        assert first.move == "pla_border_reinforcement"
        assert first.rationale is not None
        # In a student's words: the red line's label, not its id.
        assert "red line 'US or ROK forces move into the North' crossed" in first.rationale


def test_play_varies_by_seed_and_every_computer_move_has_a_rationale() -> None:
    """Computer players choose with the engine's seeded stream: different seeds, different
    games; each decision records a one-line rationale naming the interests behind it."""
    world = default()
    games = {tuple(e.move for e in run(world, s).log if isinstance(e, MoveMade)) for s in SEEDS}
    assert len(games) > len(SEEDS) // 2
    made = moves_by(world, "china", range(1, 4))
    assert all(e.rationale and e.rationale.startswith("China: ") for e in made)


@pytest.mark.parametrize("actor", ["us", "china", "rok", "dprk"])
def test_scenario_overrides_shift_behaviour(actor: str) -> None:
    """Scenario overrides (a hawkish or a cautious actor) move its mean escalation."""

    def mean_esc(escalation: float) -> float:
        actors = [
            p.model_copy(
                update={"overrides": p.overrides.model_copy(update={"escalation": escalation})}
            )
            if p.id == actor
            else p
            for p in default().scenario.actors
        ]
        return mean(e.escalation for e in moves_by(patched(actors=actors), actor, range(1, 16)))

    assert mean_esc(0.95) > mean_esc(0.05)
