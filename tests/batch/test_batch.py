"""Batch runs as a library: determinism across workers, what-if settings, streaming tallies."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from sim.authoring.overrides import Setting, SettingError
from sim.batch.csvout import CsvSink
from sim.batch.pool import Processes
from sim.batch.runs import Backend, Recipe, RunResult, Serial, run_batch, run_seed
from sim.batch.tally import Tally, batch_report, compare
from tests.batchworlds import TENSE, players, recipe


@pytest.fixture(scope="module")
def tense() -> Recipe:
    """The what-if world with profile-driven players."""
    return recipe(TENSE, players())


def play(
    recipes: list[Recipe], n: int, backend: Backend | None = None, seed: int = 3
) -> tuple[list[Tally], list[tuple[RunResult, ...]]]:
    worlds = [r.build() for r in recipes]
    tallies = [Tally(w) for w in worlds]
    seen: list[tuple[RunResult, ...]] = []

    def on_run(results: tuple[RunResult, ...]) -> None:
        seen.append(results)
        for t, r in zip(tallies, results, strict=True):
            t.add(r)

    run_batch(recipes, n, seed, backend=backend, on_run=on_run, worlds=worlds)
    return tallies, seen


def settings(*texts: str) -> list[Setting]:
    return [Setting.parse(t) for t in texts]


def test_run_seeds_are_distinct_and_stable() -> None:
    """Run i's seed depends only on the batch seed and i; nearby batches do not share runs."""
    assert run_seed(1, 0) == run_seed(1, 0)
    seeds = {run_seed(s, i) for s in range(3) for i in range(1000)}
    assert len(seeds) == 3000


def test_one_and_two_workers_give_identical_results(tense: Recipe) -> None:
    """Every run and every figure is the same on one process and on a pool of two."""
    one, runs_one = play([tense], 60, Serial())
    two, runs_two = play([tense], 60, Processes(2))
    assert runs_one == runs_two
    assert [r[0].index for r in runs_two] == list(range(60))
    assert one[0].report() == two[0].report()


def test_escalation_setting_moves_outcomes_the_expected_way(tense: Recipe) -> None:
    """Hawkish actors end in crisis more often than dovish ones, beyond the 95% interval."""
    dove = tense.with_settings(settings("a.escalation=0", "b.escalation=0", "c.escalation=0"))
    hawk = dove.with_settings(settings("a.escalation=1", "b.escalation=1", "c.escalation=1"))
    (a, b), _ = play([dove, hawk], 80)
    diff = compare(a, b)["crisis"]
    assert diff["difference"] > 0 and diff["ci95"][0] > 0
    assert b.report()["mean_escalation"]["a"] > a.report()["mean_escalation"]["a"]


def test_settings_edit_the_scenario_not_the_world(tense: Recipe) -> None:
    """Each kind of setting lands in the participant's overrides or variables."""
    changed = tense.with_settings(
        settings(
            "a.risk_tolerance=0.2",
            "a.interest.support=0.9",
            "a.faction.hawks=0.7",
            "b.policy=baseline",
            "c.support=80",
        )
    )
    a, b, c = changed.scenario.actors
    assert a.overrides.risk_tolerance == 0.2
    assert a.overrides.interests == {"support": 0.9} and a.overrides.factions == {"hawks": 0.7}
    assert b.overrides.policy == "baseline" and c.variables == {"support": 80.0}
    assert changed.build().models["a"].risk_tolerance == 0.2
    assert changed.key != tense.key


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chna.escalation=0.1", "unknown actor 'chna'"),
        ("a.escalaton=0.1", "did you mean 'escalation'?"),
        ("a.interest.suport=0.9", "unknown interest 'suport'; did you mean 'support'?"),
        ("a.faction.doves=0.9", "a's factions: hawks"),
        ("a.escalation=high", "escalation must be a number"),
        ("a.escalation=1.5", "between 0 and 1"),
        ("a.policy=profil", "did you mean 'profile'?"),
        ("a.support=500", "between 0 and 100"),
    ],
)
def test_bad_settings_say_what_is_wrong(tense: Recipe, text: str, message: str) -> None:
    """Unknown actors, parameters, ids and bad values are refused with a hint."""
    with pytest.raises(SettingError, match=message.replace("?", r"\?").replace("(", r"\(")):
        tense.with_settings(settings(text))


def test_setting_syntax_is_checked() -> None:
    """A setting without ACTOR.PARAM=VALUE shape is refused before anything loads."""
    with pytest.raises(SettingError, match=r"expected ACTOR\.PARAM=VALUE"):
        Setting.parse("escalation=0.1")


def test_report_has_every_summary(tense: Recipe) -> None:
    """Outcomes with intervals, indicator quantiles, escalation, moves, triggers and rounds."""
    (t,), _ = play([tense], 30)
    rep = t.report()
    assert sum(v["count"] for v in rep["outcomes"].values()) == 30
    assert all(v["ci95"][0] <= v["share"] <= v["ci95"][1] for v in rep["outcomes"].values())
    tension = rep["indicators"]["tension"]
    assert tension["p5"] <= tension["mean"] <= tension["p95"]
    assert set(rep["mean_escalation"]) == set(rep["top_moves"]) == {"a", "b", "c"}
    assert 0 <= rep["triggers"]["alarm"]["share"] <= 1
    assert rep["rounds"] == 30 * 6 and rep["rounds_per_game"]["mean"] == 6.0


def test_comparison_report_pairs_variants(tense: Recipe) -> None:
    """Two variants report side by side with the difference of each outcome's share."""
    hawk = tense.with_settings(settings("a.escalation=1"))
    tallies, _ = play([tense, hawk], 10)
    done = run_batch([tense], 1)
    rep = batch_report(tallies, [[], ["a.escalation=1"]], done, 3, 1)
    assert set(rep) >= {"games", "rounds", "wall_seconds", "a", "b", "difference"}
    assert rep["b"]["settings"] == ["a.escalation=1"]
    assert set(rep["difference"]) == {"crisis", "calm"}


def test_csv_sink_writes_a_row_per_run_and_variant(tense: Recipe) -> None:
    """The CSV header names indicators and actors; each run gives one row per variant."""
    world = tense.build()
    buf = io.StringIO()
    sink = CsvSink(buf, world, ("A", "B"))
    _, runs = play([tense, tense], 3)
    for results in runs:
        sink.write(results)
    lines = buf.getvalue().splitlines()
    assert lines[0] == (
        "run,seed,variant,outcome,rounds,tension,stability,escalation.a,escalation.b,escalation.c"
    )
    assert len(lines) == 1 + 3 * 2 and lines[2].startswith("0,") and ",B," in lines[2]


def test_batch_core_does_not_import_the_tui() -> None:
    """sim.batch, its pools and tallies load without textual or rich."""
    code = (
        "import sys, sim.batch.runs, sim.batch.pool, sim.batch.tally, sim.batch.csvout, "
        "sim.batch.dask_pool; "
        "print(any(m.split('.')[0] in ('textual', 'rich', 'ui') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("scenario", ["korea-instability-2012", "pyongyang-coup"])
def test_lean_runs_differ_from_full_runs_only_in_rationales_and_hashes(scenario: str) -> None:
    """Batch runs play lean sessions (no rationale lines, no round hashes); everything else, and
    so every figure a batch reports, is that of the same run played in full."""
    from dataclasses import replace

    from sim.authoring.loader import load_scenario
    from sim.batch.runs import result_of
    from sim.engine.events import MoveMade, RoundClosed
    from sim.record.runner import run

    world = load_scenario(scenario)

    def blanked(log: list) -> list:  # type: ignore[type-arg]
        return [
            replace(e, rationale=None)
            if isinstance(e, MoveMade)
            else replace(e, hash="")
            if isinstance(e, RoundClosed)
            else e
            for e in log
        ]

    rationales = 0
    for seed in range(12):
        full, lean = run(world, seed), run(world, seed, lean=True)
        assert blanked(lean.log) == blanked(full.log)
        assert lean.state.values == full.state.values
        assert result_of(lean, seed) == result_of(full, seed)
        rationales += sum(1 for e in full.log if isinstance(e, MoveMade) and e.rationale)
        assert all(e.hash == "" for e in lean.log if isinstance(e, RoundClosed))
    assert rationales > 0  # the full runs did explain themselves


def test_results_read_off_the_state_agree_with_the_log() -> None:
    """A run's result is read off the folded state; recounting the log gives the same moves,
    triggers (in order of first firing) and rounds, on scenarios that end early and on time."""
    from collections import Counter

    from sim.authoring.loader import load_scenario
    from sim.batch.runs import result_of
    from sim.engine.events import MoveMade, RoundClosed, TriggerFired
    from sim.record.runner import run

    endings = set()
    for scenario, seeds in (
        ("korea-instability-2012", range(8)),
        ("nuclear-test-border", (11, 15, 22, 1, 2)),  # 11 ends early, in war
    ):
        world = load_scenario(scenario)
        for seed in seeds:
            session = run(world, seed, lean=True)
            got = result_of(session, seed)
            moves = Counter((e.actor, e.move) for e in session.log if isinstance(e, MoveMade))
            index = {a: i for i, a in enumerate(world.actors)}
            assert got.moves == tuple((index[a], m, c) for (a, m), c in sorted(moves.items()))
            fired = dict.fromkeys(e.id for e in session.log if isinstance(e, TriggerFired))
            assert got.triggers == tuple(fired)
            assert got.rounds == sum(isinstance(e, RoundClosed) for e in session.log)
            endings.add(got.rounds == world.scenario.clock.rounds)
    assert endings == {True, False}  # both early and on-time endings were checked


def test_tuned_gc_is_undone_when_a_serial_batch_ends() -> None:
    """A serial batch tunes the collector of the caller's process only while it plays."""
    import gc

    from sim.batch.runs import BATCH_GC_THRESHOLD, tuned_gc

    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with tuned_gc():
        assert gc.get_threshold() == BATCH_GC_THRESHOLD
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen  # a host's own freeze is left alone


@pytest.mark.parametrize("scenario", ["korea-instability-2012", "pyongyang-coup"])
def test_play_equals_run_then_result_of(scenario: str) -> None:
    """A span played by ``play`` (per-span seats, watched moves and result shape) gives what
    each run played by ``run`` and boiled down by ``result_of`` gives, chance hook included."""
    from sim.authoring.scripts import seats_for
    from sim.batch.runs import Plan, chance_watch, install, play, recipe_for, result_of
    from sim.engine.session import Session
    from sim.record.runner import run

    plan = Plan((recipe_for(scenario),), 5)
    (world,) = install(plan)
    got = play(plan.key, (0, 8), 5)
    for i, (result,) in enumerate(got):
        seed = run_seed(5, i)
        watch = chance_watch(world)
        if watch is None:
            want = result_of(run(world, seed, lean=True), i)
        else:
            session = Session(world, seed, seats_for(world, None), lean=True)
            watch[1](session, [])
            want = result_of(run(world, seed, session=session, on_round=watch[1]), i, watch[0])
        assert result == want


def test_play_collects_each_runs_cycles_when_it_owns_the_collector(tense: Recipe) -> None:
    """With automatic collection off (a worker, a serial batch), ``play`` leaves no garbage."""
    import gc

    from sim.batch.runs import Plan, batch_collector, install, play

    plan = Plan((tense,), 2)
    install(plan)
    with batch_collector():
        assert not gc.isenabled()
        play(plan.key, (0, 5), 2)
        assert gc.collect() == 0
    assert gc.isenabled()


def test_runner_chance_hook_counts_as_the_event_hook() -> None:
    """The batch runner's chance hook (reading the round's moves off ``state.moves``) counts
    what ``chance_watch`` (reading the round's ``MoveMade`` events) counts, clamps included, and
    the records each round adds are that round's moves."""
    from sim.batch.runs import _formulas, _watch_records, chance_watch
    from sim.engine.events import MoveMade
    from sim.engine.session import Session
    from tests.batchworlds import recipe

    gamble = {
        "id": "gamble",
        "name": "Gamble",
        "category": "diplomatic",
        "escalation": 0,
        "chance": "tension / 25",
        "effects": [{"change": "tension", "by": -1}],
    }
    world = recipe({"moves": {"include": ["mini"], "extra": [gamble]}}).build()
    clamped = 0
    for i in range(12):
        session = Session(world, run_seed(2, i), lean=True)
        ref, fast = chance_watch(world), _watch_records(world, _formulas(world))
        assert ref is not None and fast is not None
        ref[1](session, [])
        fast[1](session, [])
        while not session.over:
            before = len(session.state.moves)
            events = session.close_round()
            made = [(e.actor, e.move, e.target) for e in events if isinstance(e, MoveMade)]
            added = list(session.state.moves.values())[before:]
            assert [(r.actor, r.move, r.target) for r in added] == made
            ref[1](session, events)
            fast[1](session, events)
        assert fast[0] == ref[0]
        clamped += sum(ref[0].values())
    assert clamped > 0
