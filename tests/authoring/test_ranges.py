"""Interval evaluation behind "can never be true": sound on every state within the ranges."""

from __future__ import annotations

import random

import pytest

from sim.authoring.ranges import Num, Truth, evaluate
from sim.engine.expr import compile_expr

RANGES = {"tension": (0.0, 100.0), "a.support": (20.0, 80.0), "round": (1.0, 8.0)}
FLAGS = ("flags.talks",)


def lookup(name: str) -> Num | Truth:
    if name in FLAGS:
        return Truth(True, True)
    return Num(*RANGES[name])


@pytest.mark.parametrize(
    ("source", "can_true"),
    [
        ("tension > 120", False),
        ("tension >= 100", True),
        ("a.support < 20", False),
        ("a.support <= 20 and flags.talks", True),
        ("round >= 9 or tension > 100", False),
        ("not (tension <= 100)", False),
        ("tension + 10 < 5", False),
        ("20 <= tension < 60", True),
        ("a.support * 2 > 160", False),
        ("min(tension, a.support) > 80", False),
        ("max(tension, a.support) > 80", True),
        ("clamp(tension, 10, 50) > 50", False),
        ("abs(tension - 50) > 50", False),
        ("(tension if flags.talks else 0) > 100", False),
        ("tension / 2 > 50", False),
        ("tension == 150", False),
        ("tension != 150", True),
    ],
)
def test_verdicts(source: str, can_true: bool) -> None:
    """Hand-checked cases: thresholds beyond a range are caught, reachable ones are not."""
    value = evaluate(source, lookup)
    assert isinstance(value, Truth)
    assert value.can_true is can_true


EXPRESSIONS = [
    "tension > 120",
    "a.support * 2 - tension > 60 and flags.talks",
    "min(tension, a.support) + round > 50",
    "abs(tension - a.support) >= 79",
    "tension / (a.support - 10) > 9",
    "clamp(tension - 40, 0, 30) >= 30 or round > 7",
    "-tension + a.support * 0.5 > 35",
    "(1 if flags.talks else -1) * tension >= 99",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_never_is_never_wrong(source: str) -> None:
    """On 2,000 random states within the ranges (corners included), a condition judged
    never-true is never true, and a number stays inside its computed interval."""
    expr = compile_expr(source, [*RANGES, *FLAGS])
    verdict = evaluate(source, lookup)
    assert isinstance(verdict, Truth)
    rng = random.Random(source)
    for _ in range(2000):
        state: dict[str, float | bool] = {
            n: rng.choice([lo, hi, rng.uniform(lo, hi)]) for n, (lo, hi) in RANGES.items()
        }
        state["round"] = float(round(state["round"]))
        state["flags.talks"] = rng.random() < 0.5
        if expr.fn(state):
            assert verdict.can_true, state
        else:
            assert verdict.can_false, state
    number = evaluate("tension / (a.support - 10) - round", lookup)
    assert isinstance(number, Num) and number.lo <= 0 / 70 - 8 and number.hi >= 100 / 10 - 1
