"""`sitroom check`: balance as a test, on small scenarios and on every bundled one.

The bundled scenarios are checked here with fewer runs than the command's default so that the
suite stays within its time budget: :data:`CI_RUNS` runs per variant and end states and red
lines looked for over :data:`CI_REACH` runs (the command's defaults are 500 and 2,000).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.authoring import library
from sim.batch.check import MAX_SHARE, CheckReport, check, judge
from sim.batch.runs import recipe_for
from tests.ui.test_cli_foundation import sitroom

DATA = Path(__file__).resolve().parents[1] / "data" / "check"
CI_RUNS = 40
CI_REACH = 240


def test_a_scenario_whose_ending_depends_on_play_passes() -> None:
    """The duel: two outcomes, a red line that fires, and a hawk whose swap changes the ending."""
    result = sitroom("check", str(DATA / "duel.yaml"), "-n", "120", "--reach", "200")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout
    assert "standoff" in result.stdout and "a.brink" in result.stdout
    assert "round 1 top move" in result.stdout


def test_a_foregone_conclusion_fails_with_a_table() -> None:
    """Every rule is broken once, and each failure is named in the table; exit status 1."""
    result = sitroom("check", str(DATA / "lopsided.yaml"), "-n", "30", "--reach", "60")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "check FAILED (4)" in out
    for rule, subject in [
        ("dominant outcome", "calm"),
        ("end state never reached", "disaster"),
        ("red line never fires", "a.brink"),
        ("play does not matter", "baseline swap"),
    ]:
        line = next(x for x in out.splitlines() if x.strip().startswith(rule))
        assert subject in line
    assert result.stderr == ""


def test_a_missing_scenario_is_a_clear_input_error() -> None:
    """A scenario that does not exist: a one-line message and exit 1, no traceback."""
    result = sitroom("check", str(DATA / "nowhere.yaml"), "-n", "5")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_marked_rare_and_unreachable_are_accepted() -> None:
    """A `rare:` end state and an `unreachable` red line no longer fail; the others still do."""
    base = recipe_for(str(DATA / "lopsided.yaml"))
    ends = [
        e.model_copy(update={"rare": "needs an event this test never sends"})
        if e.id == "disaster"
        else e
        for e in base.scenario.end_conditions
    ]
    hawk = base.profiles["hawk"]
    lines = [
        rl.model_copy(update={"unreachable": {"lopsided": "tension starts far below it"}})
        for rl in hawk.red_lines
    ]
    recipe = type(base)(
        base.scenario.model_copy(update={"end_conditions": ends}),
        {**base.profiles, "hawk": hawk.model_copy(update={"red_lines": lines})},
        base.catalogues,
    )
    report = check(recipe, 20, reach=40)
    assert {f.rule for f in report.findings} == {"dominant outcome", "play does not matter"}
    assert report.rare == {"disaster": "needs an event this test never sends"}


def test_judge_thresholds() -> None:
    """80% exactly passes, just above fails; a 10-point swap passes, 9.9 fails."""
    report = CheckReport(
        scenario="x",
        runs=100,
        reach_runs=100,
        actors=("a",),
        outcomes={"p": MAX_SHARE, "q": 1 - MAX_SHARE},
        rare={},
        first_reached={"p": 0, "q": 1},
        red_lines={},
        red_first={},
        unreachable={},
        swaps={"a": {"p": -0.10, "q": 0.10}},
        openings={},
    )
    judge(report)
    assert report.ok
    report.outcomes = {"p": 0.81, "q": 0.19}
    report.swaps = {"a": {"p": -0.099, "q": 0.099}}
    judge(report)
    assert {f.rule for f in report.findings} == {"dominant outcome", "play does not matter"}


@pytest.mark.parametrize("scenario", library.scenario_ids())
def test_every_bundled_scenario_passes_check(scenario: str) -> None:
    """Each bundled scenario passes `sitroom check` at CI size (see the module docstring)."""
    from sim.batch.check import render

    report = check(recipe_for(scenario), CI_RUNS, reach=CI_REACH)
    assert report.ok, render(report)


def test_check_asserts_the_scenarios_own_balance_goals() -> None:
    """`expect:` goals are judged on real runs by check: the goal that holds adds nothing, the one
    that fails is a finding with its figures."""
    path = Path(__file__).resolve().parents[1] / "data" / "expect" / "balanced.yaml"
    report = check(recipe_for(str(path)), n=30, reach=30)
    goals = [f for f in report.findings if f.rule == "balance goal"]
    assert [f.subject for f in goals] == ["outcome.crisis > 0.5 and round.crisis <= 2"]
    assert "got outcome.crisis = 0.000" in goals[0].detail
