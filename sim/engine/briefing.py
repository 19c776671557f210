"""A scenario's texts as a shorter game reads them: the round count and span it plays.

Briefings are authored prose ("The exercise covers two days in eight rounds of six hours"),
and the YAML cannot be templated after the fact: its text is part of the scenario's content
hash, which archived sessions are checked against. So a session played with ``--rounds N``
rewrites, in its own copy of the scenario, the phrases that state the scenario's round count
(and, in the same sentence, the span it covers), and opens the public briefing with a line
saying the game is shorter. Only the declared count is rewritten, so "80 rounds" of artillery
fire in a ten-round scenario stays as written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from sim.engine.world import World

WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
UNITS = {"day": 24.0, "week": 168.0}
"""Spans a briefing states in words, in hours."""

_NUMBER = r"(?P<n>[A-Za-z]+|\d+)"
_ROUNDS = re.compile(_NUMBER + r"(?P<mid>[\s-](?:[a-z]+-[a-z]+\s)?)rounds\b")
""""eight rounds", "Eight six-hour rounds", "ten two-week rounds", "8 rounds"."""
_SPAN = re.compile(_NUMBER + r"(?P<mid>\s(?:simulated\s)?)(?P<unit>day|week)s?\b")
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]|$)")


def number(text: str) -> int | None:
    """The whole number a word or digits stand for (None: neither)."""
    if text.isdigit():
        return int(text)
    low = text.lower()
    return WORDS.index(low) if low in WORDS else None


def words(n: int, like: str) -> str:
    """``n`` written as ``like`` is: a capitalised word, a word, or digits."""
    if like.isdigit() or n >= len(WORDS):
        return str(n)
    word = WORDS[n]
    return word.capitalize() if like[:1].isupper() else word


def _span(hours: float, like: re.Match[str]) -> str:
    """``hours`` in the unit of the matched span when whole, else in hours."""
    unit, count = like["unit"], hours / UNITS[like["unit"]]
    if count == int(count):
        n = words(int(count), like["n"])
    else:  # not a whole number of days: hours, in digits ("18 hours")
        unit, count, n = "hour", hours, f"{hours:g}"
    return f"{n}{like['mid']}{unit}{'' if count == 1 else 's'}"


def span_text(hours: float) -> str:
    """A span of simulated time in its largest whole unit: "2 days", "18 hours"."""
    for unit, per in sorted(UNITS.items(), key=lambda u: -u[1]):
        if hours >= per and hours % per == 0:
            n = int(hours // per)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


@lru_cache(maxsize=256)
def shorter_text(text: str, declared: int, rounds: int, round_hours: float) -> str:
    """``text`` with each statement of the ``declared`` round count made ``rounds``, and the
    span a sentence states beside it (``declared * round_hours``) made the shorter span.

    Cached: a batch builds thousands of sessions of one scenario (0.5 ms of regular
    expressions each for the flagship's texts, 9 us with the cache)."""
    if rounds == declared or "round" not in text:
        return text

    def sentence(m: re.Match[str]) -> str:
        part = m[0]
        counted = False

        def count(r: re.Match[str]) -> str:
            nonlocal counted
            if number(r["n"]) != declared:
                return r[0]
            counted = True
            return f"{words(rounds, r['n'])}{r['mid']}round{'' if rounds == 1 else 's'}"

        part = _ROUNDS.sub(count, part)
        if not counted:
            return part

        def span(s: re.Match[str]) -> str:
            n = number(s["n"])
            if n is None or n * UNITS[s["unit"]] != declared * round_hours:
                return s[0]
            return _span(rounds * round_hours, s)

        return _SPAN.sub(span, part)

    return _SENTENCE.sub(sentence, text)


def shorter_note(declared: int, rounds: int, round_hours: float) -> str:
    """The line a shorter game's public briefing opens with."""
    return (
        f"This game is shorter than the scenario: it plays {rounds} of its {declared} rounds "
        f"({span_text(rounds * round_hours)} of simulated time)."
    )


def retell(world: World, declared: int) -> World:
    """``world``, shortened from ``declared`` rounds to its clock's, with its texts saying so:
    the public briefing (opened by :func:`shorter_note`), the facilitator's notes and each
    actor's private briefing (an actor's model is copied only if its text changes, so the
    compiled models stay shared)."""
    sc = world.scenario
    rounds, hours = sc.clock.rounds, sc.clock.round_hours
    if rounds == declared:
        return world
    briefing = shorter_text(sc.briefing, declared, rounds, hours)
    scenario = sc.model_copy(
        update={
            "briefing": f"{shorter_note(declared, rounds, hours)}\n\n{briefing}",
            "facilitator_notes": shorter_text(sc.facilitator_notes, declared, rounds, hours),
        }
    )
    models = dict(world.models)
    for actor, model in world.models.items():
        text = shorter_text(model.briefing, declared, rounds, hours)
        if text != model.briefing:
            models[actor] = replace(model, briefing=text)
    return replace(world, scenario=scenario, models=models)
