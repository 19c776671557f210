"""A rationale's drivers from the per-name gradient are those of the whole gradient, sorted, at
every decision of real runs, and the top two without a sort are a stable sort's."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

import pytest

from actors import wording
from actors.candidates import Candidate
from actors.profile import ProfilePolicy, _top_two
from sim.authoring.library import scenarios
from sim.authoring.loader import load_scenario
from sim.engine.clamp import clamp
from sim.engine.expr import Value
from sim.record.runner import run


def plain_explain(
    player: ProfilePolicy, values: Mapping[str, Value], c: Candidate
) -> tuple[tuple[str, float], ...]:
    """:meth:`ProfilePolicy.explain` as first written: the whole gradient, then a sort."""
    p = clamp(c.chance if c.chance is not None else float(c.bound.chance.fn(values)), 0.0, 1.0)
    parts: dict[str, float] = {}
    grad = player.gradients()
    for effects, w in ((c.win, p), (c.lose, 1 - p)):
        for name, is_add, const, eff, lo, hi, is_flag in effects:
            old = values[name]
            amount = const if const is not None else eff.amount.fn(values)
            if is_flag:
                d = (float(bool(amount)) - float(old)) * w
            else:
                new = old + amount if is_add else float(amount)
                d = float(clamp(new, lo, hi) - old) * w
            for iid, g in grad.get(name, ()):
                parts[iid] = parts.get(iid, 0.0) + g * d
    ranked = sorted(((k, v) for k, v in parts.items() if v), key=lambda kv: -abs(kv[1]))
    return tuple(ranked[:2])


def same(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> bool:
    """Equal items, floats compared by their bits' meaning (NaN equal to NaN)."""
    return len(a) == len(b) and all(
        ka == kb and (va == vb or (math.isnan(va) and math.isnan(vb)))
        for (ka, va), (kb, vb) in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("scenario", sorted({e.id for e in scenarios()}))
def test_explain_is_the_whole_gradient_sorted(
    scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = wording.choice_line
    compared = 0

    def checked(
        player: ProfilePolicy,
        values: Mapping[str, Value],
        pick: wording.Scored,
        runner: wording.Scored | None,
    ) -> str:
        nonlocal compared
        for option in (pick, runner) if runner is not None else (pick,):
            assert same(player.explain(values, option[2]), plain_explain(player, values, option[2]))
            compared += 1
        return fast(player, values, pick, runner)

    monkeypatch.setattr(wording, "choice_line", checked)
    world = load_scenario(scenario)
    for seed in (0, 1):
        run(world, seed)
    assert compared


def test_top_two_is_a_stable_sorts() -> None:
    rng = random.Random(5)
    pool = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, math.inf, -math.inf, math.nan, 1e-300]
    for _ in range(5000):
        parts = {f"i{n}": rng.choice(pool) for n in range(rng.randint(0, 6))}
        ranked = sorted(((k, v) for k, v in parts.items() if v), key=lambda kv: -abs(kv[1]))
        assert same(_top_two(parts), tuple(ranked[:2]))
