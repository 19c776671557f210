"""A shorter game's briefings say the rounds it plays, not the scenario's (issue 19's follow-up:
"a scenario briefing still says 'eight rounds' in a shorter game")."""

from __future__ import annotations

import pytest

from sim.authoring.loader import load_scenario
from sim.engine.briefing import shorter_text
from sim.engine.session import Session
from tests.worlds import world

FLAGSHIP = load_scenario("korea-instability-2012")


def test_a_shorter_flagship_briefing_says_its_rounds_and_span() -> None:
    """Four of the flagship's eight six-hour rounds: every seat's briefing opens with a line
    saying so, and its own sentence says one day in four rounds, not two days in eight."""
    s = Session(FLAGSHIP, 1, rounds=4)
    for actor in (None, "us", "china"):
        text = s.view(actor).briefing
        assert text.startswith(
            "This game is shorter than the scenario: it plays 4 of its 8 rounds "
            "(1 day of simulated time)."
        )
        assert "The exercise covers one day in four rounds of six hours." in text
        assert "eight rounds" not in text and "two days" not in text
    notes = s.world.scenario.facilitator_notes
    assert notes.startswith("HOW TO RUN IT. Four six-hour rounds over one simulated day;")


def test_the_whole_game_keeps_the_authored_text() -> None:
    """Played at its own length (or with --rounds equal to it) the scenario is untouched."""
    for rounds in (None, 8):
        s = Session(FLAGSHIP, 1, rounds=rounds)
        assert s.world is FLAGSHIP
        assert s.view("us").briefing.startswith(FLAGSHIP.scenario.briefing)


@pytest.mark.parametrize(
    ("text", "rounds", "expected"),
    [
        (
            "Eight six-hour rounds over two simulated days; go.",
            3,
            "Three six-hour rounds over 18 simulated hours; go.",
        ),
        (
            "It runs ten rounds of twelve hours: five days.",
            4,
            "It runs four rounds of twelve hours: two days.",
        ),
        ("It runs 10 rounds.", 1, "It runs 1 round."),
        # Not the scenario's count, or no count: as written.
        ("Seoul returned fire of about 80 rounds.", 4, "Seoul returned fire of about 80 rounds."),
        ("Rounds 1-2: the leader is absent.", 4, "Rounds 1-2: the leader is absent."),
        # A span in another sentence than the count is not the game's span.
        ("Ten rounds. The crisis took five days.", 4, "Four rounds. The crisis took five days."),
    ],
)
def test_only_the_declared_count_and_its_span_are_rewritten(
    text: str, rounds: int, expected: str
) -> None:
    """The scenario declares ten twelve-hour rounds (the first case: eight six-hour ones)."""
    declared, hours = (8, 6.0) if text.startswith("Eight") else (10, 12.0)
    assert shorter_text(text, declared, rounds, hours) == expected


def test_a_private_briefing_that_counts_rounds_is_rewritten_too() -> None:
    """An actor's own briefing is read through the same rule; others' models stay shared."""
    w = world({"clock": {"start": "day 1", "round_hours": 6, "rounds": 4}})
    from dataclasses import replace

    models = dict(w.models)
    models["a"] = replace(models["a"], briefing="You have four rounds to act.")
    w = replace(w, models=models)
    s = Session(w, 1, rounds=2)
    assert s.world.models["a"].briefing == "You have two rounds to act."
    assert s.world.models["b"] is w.models["b"]
    assert "You have two rounds to act." in s.view("a").briefing
