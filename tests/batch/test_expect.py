"""Balance goals (`expect:`) asserted against real batch results."""

from __future__ import annotations

from pathlib import Path

from sim.authoring.loader import load_file
from sim.batch.expect import evaluate, values_of
from sim.batch.runs import RunResult, recipe_for, run_batch
from sim.batch.tally import Tally
from sim.models import Scenario

BALANCED = Path(__file__).resolve().parents[1] / "data" / "expect" / "balanced.yaml"


def batch_summary(n: int = 30) -> dict[str, object]:
    recipe = recipe_for(str(BALANCED))
    world = recipe.build()
    tally = Tally(world)

    def on_run(results: tuple[RunResult, ...]) -> None:
        tally.add(results[0])

    run_batch([recipe], n, 5, on_run=on_run, worlds=[world])
    return tally.report()


def test_one_goal_holds_and_one_fails_with_its_position() -> None:
    """On real runs the first goal holds; the second fails, located at its line, with figures."""
    model, doc = load_file(BALANCED, expect="scenario")
    assert isinstance(model, Scenario)
    summary = batch_summary()
    values = values_of(summary)
    assert values["outcome.calm"] >= 0.5 > values["outcome.crisis"]
    failures = evaluate(model.expect, summary, doc, model)
    assert [f.index for f in failures] == [1]
    problem = failures[0].problem
    assert (problem.line, problem.col) == (27, 11)
    assert "balance goal not met over 30 runs: outcome.crisis > 0.5 and round.crisis <= 2" in (
        problem.message
    )
    assert "(a crisis should be common and early)" in problem.message
    assert "outcome.crisis = " in problem.message


def test_round_of_an_outcome_that_never_happened_fails() -> None:
    """A goal reading the round of an outcome no run reached cannot hold."""
    model, _doc = load_file(BALANCED, expect="scenario")
    assert isinstance(model, Scenario)
    summary = batch_summary(5)
    never = [o for o, v in summary["outcome_rounds"].items() if v["mean"] is None]  # type: ignore[attr-defined]
    assert never
    goal = model.expect[0].model_copy(update={"that": f"round.{never[0]} >= 0"})
    (failure,) = evaluate([goal], summary)
    assert "never happened" in failure.problem.message


def test_batch_tells_authors_move_use_outcome_rounds_objectives_and_clamped_chances() -> None:
    """Every usable move per actor (custom ones marked), the round of each outcome, objective
    shares, and a chance formula that left 0..1 are all in the report."""
    from tests.batchworlds import recipe

    patch = {
        "objectives": [{"id": "cool", "text": "Stay cool", "measure": "tension < 60"}],
        "moves": {
            "include": ["mini"],
            "extra": [
                {
                    "id": "gamble",
                    "name": "Gamble",
                    "category": "diplomatic",
                    "escalation": 0,
                    "chance": "tension / 25",
                    "effects": [{"change": "tension", "by": -1}],
                }
            ],
        },
    }
    rec = recipe(patch)
    world = rec.build()
    tally = Tally(world)
    run_batch([rec], 12, 2, on_run=lambda rs: tally.add(rs[0]), worlds=[world])
    rep = tally.report()
    use = rep["move_use"]
    assert set(use) == set(world.actors)
    for actor, moves in use.items():
        assert set(world.usable[actor]) <= set(moves)
        assert moves["gamble"]["custom"] is True
        assert all(v["custom"] is False for m, v in moves.items() if m != "gamble")
    total = sum(v["per_run"] for moves in use.values() for v in moves.values())
    assert total > 0
    rounds = rep["outcome_rounds"]
    assert sum(v["runs"] for v in rounds.values()) == 12
    assert all(v["mean"] is None or 1 <= v["mean"] <= 6 for v in rounds.values())
    assert set(rep["objectives"]) == {"cool"}
    used = sum(v["per_run"] for v in (m["gamble"] for m in use.values()))
    assert used > 0  # tension starts at 50, so tension / 25 = 2: the first use is clamped
    assert rep["chance_clamped"]["gamble"]["times"] >= 1
