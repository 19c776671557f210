"""The load-time check that a move's ``requires`` can be computed on every state the declared
ranges allow (:mod:`sim.authoring.computable`): what it refuses does fail, what it passes never
does, on the corners of the ranges and on random states between them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sim.authoring.computable import failure
from sim.authoring.ranges import EITHER, Abstract, Num
from sim.authoring.runtime import runtime_error
from sim.engine.expr import NonFinite, compile_expr

RANGES: dict[str, tuple[float, float]] = {
    "tension": (0.0, 100.0),
    "x": (-1e15, 1e15),
    "round": (1, 4),
    "t": (0.0, 36.0),
}
NAMES = [*RANGES, "flags.talks"]


def lookup(name: str) -> Abstract:
    return EITHER if name.startswith("flags.") else Num(*RANGES[name])


def states(seed: int = 1, n: int = 400) -> list[dict[str, float | int | bool]]:
    """Every corner of the ranges, then random states, with the engine's types (the round
    counter an int, a flag a bool, the rest floats)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        values: dict[str, float | int | bool] = {}
        for name, (lo, hi) in RANGES.items():
            if name == "round":
                values[name] = rng.randint(int(lo), int(hi))
            elif i % 3 == 0:
                values[name] = rng.choice([lo, hi, 0.0, 1.0, 1.6e308 ** (1 / 21), -1e14])
            else:
                values[name] = rng.uniform(lo, hi) * rng.choice([1.0, 1e-9])
        values["flags.talks"] = bool(i % 2)
        out.append(values)
    return out


def raises(source: str) -> bool:
    expr = compile_expr(source, NAMES)
    for values in states():
        try:
            expr(values)
        except (ArithmeticError, ValueError):
            return True
    return False


X21 = " * ".join(["x"] * 21)
BIG = " * ".join(["1000000000000000"] * 21)

FAILING = [
    f"round(1, {X21} - {X21}) > 0",  # NaN digits
    f"round(1.5, {X21}) > 0",  # infinite digits
    f"(flags.talks + round) * {BIG} * 1.5 > t",  # a whole number too large for a float
    f"round * {BIG} + tension > 0",
    f"round * {BIG} / 3 > 0",  # true division of a huge whole number
    f"round({X21}, -308) > 0",  # rounds 1.6e308 to 2e308, too large
]
PASSING = [
    "tension > 50",
    "round(tension, 1) > 30",
    "round(tension / t, 2) > 1",  # a zero divisor gives 0
    "(round % 2) * 0.5 < 1",
    "round * 1000000000000000 > t",
    f"round * {BIG} > t",  # comparing any numbers is exact
    f"{X21} - {X21} > 0",  # NaN compares false: computed, not raised
    "round(tension, -2) > 0 and not flags.talks",
    "round(1, round // 2) > 0",
    "min(round * 1000000000000000, 5) + tension > 0",
    "clamp(x, 0, 1) * round > 0.5",
    "round(round, -x) > 0",  # a whole number to -1e15 digits: 0, at once (not 10**1e15)
]


@pytest.mark.parametrize("source", FAILING)
def test_what_it_refuses_fails(source: str) -> None:
    """Each refused requires raises on some state within the ranges, as the engine would."""
    assert failure(source, lookup) is not None
    assert raises(source)


@pytest.mark.parametrize("source", PASSING)
def test_what_it_passes_never_fails(source: str) -> None:
    """A passed requires computes on the corners and on random states (no false alarm either)."""
    assert failure(source, lookup) is None
    assert not raises(source)


def test_the_offset_points_at_the_failing_part() -> None:
    """The caret goes to the digits of round(), past any leading text."""
    found = failure(f"tension > 1 and round(2, {X21} - {X21}) > 0", lookup)
    assert found is not None and found.offset == len("tension > 1 and round(2, ")


def test_round_to_a_huge_negative_number_of_digits_is_zero() -> None:
    """Python would compute 10**1e12 to round a whole number to -1e12 digits (the run stalled):
    the digits are held at -400, below which every number rounds to 0 anyway."""
    expr = compile_expr("round(round, -x) + round(tension, -x)", NAMES)
    assert expr({"round": 3, "x": 1e12, "tension": 42.0}) == 0
    assert compile_expr("round(tension, -1)", NAMES)({"tension": 46.0}) == 50.0


def test_a_requires_that_fails_while_running_is_located(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ready for the engine to raise NonFinite(("requires", move)) (a log recorded before this
    check, resumed): the message names the move's requires at its file:line:col."""
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    path = "tests/data/bad/requires_never.yaml"
    err = runtime_error(NonFinite("tension > 120", ("requires", "boil"), 2, path))
    assert err.render().startswith(
        f"{path}:19:77: round 2: the requires of move 'boil' computed a value that is not a "
        "finite number: no state can hold that, so the run stopped here;"
    )
