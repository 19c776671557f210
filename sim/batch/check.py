"""Balance as a test: do a scenario's endings depend on play?

:func:`check` plays ``n`` computer-played runs of a scenario, plus the same seeds with one actor
at a time played by the baseline player (common random numbers, so a shift is the swap's effect
and not noise), and then keeps playing the scenario alone up to ``reach`` runs for any end state
or red line not yet seen. It fails when

- one outcome takes more than :data:`MAX_SHARE` of the runs (the ending hardly depends on play);
- an end state is never reached in ``reach`` runs, unless the scenario marks it ``rare:``;
- a red line of a taking-part profile never fires in ``reach`` runs, unless the profile marks
  it ``unreachable`` in this scenario, each with a reason;
- no single actor's swap to the baseline player moves any outcome share by
  :data:`MIN_SWAP_SHIFT` or more (who plays does not matter).

It also measures, per actor, how concentrated its openings are: the share of runs in which its
most common round-1 move (and round-4 move) appears among its orders of that round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sim.batch.runs import Plan, Recipe, Span, install, run_seed, spans_for
from sim.engine.events import RedLineCrossed
from sim.engine.session import Session
from sim.engine.world import World
from sim.record.runner import run

MAX_SHARE = 0.80
"""An outcome above this share of runs fails the check."""
MIN_SWAP_SHIFT = 0.10
"""Some actor's swap to the baseline player must move some outcome share by this much."""
REACH = 2000
"""Runs within which every end state and red line must show up (unless marked)."""
OPENING_GOAL = 0.75
"""The goal for the top move share of an actor's round-1 and round-4 orders (reported)."""
ROUNDS = (1, 4)
"""The rounds whose orders are measured for concentration."""


@dataclass(frozen=True, slots=True)
class CheckRun:
    """What check keeps of one run of one variant."""

    outcome: str
    red_lines: frozenset[tuple[str, str]] = frozenset()
    """(actor, red line id) pairs that fired (kept for the scenario as written only)."""
    orders: tuple[tuple[tuple[str, ...], ...], ...] = ()
    """Per measured round, per actor (world order): the move ids of its orders that round."""


def observe(session: Session, full: bool) -> CheckRun:
    """Boil one session down; ``full`` also keeps red lines and the measured rounds' orders."""
    state = session.state
    outcome = state.outcome or "unresolved"
    if not full:
        return CheckRun(outcome)
    fired = frozenset((e.actor, e.red_line) for e in session.log if isinstance(e, RedLineCrossed))
    actors = session.world.actors
    per_round = []
    for rnd in ROUNDS:
        moves: dict[str, list[str]] = {a: [] for a in actors}
        for m in state.moves.values():
            if m.round == rnd and m.actor in moves:
                moves[m.actor].append(m.move)
        per_round.append(tuple(tuple(sorted(moves[a])) for a in actors))
    return CheckRun(outcome, fired, tuple(per_round))


def play_check(key: str, span: Span, seed: int) -> list[tuple[CheckRun, ...]]:
    """Play runs ``span`` of an installed plan: variant 0 observed fully, swaps by outcome."""
    from sim.batch.runs import _installed

    worlds = _installed[key]
    out = []
    for i in range(*span):
        s = run_seed(seed, i)
        out.append(tuple(observe(run(w, s, lean=True), full=k == 0) for k, w in enumerate(worlds)))
    return out


class _Pool:
    """Runs check's spans on local processes (or here, for one worker)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def chunks(
        self, plan: Plan, worlds: Sequence[World], spans: Sequence[Span]
    ) -> Iterator[list[tuple[CheckRun, ...]]]:
        install(plan, worlds)
        if self.workers <= 1 or len(spans) <= 1:
            for span in spans:
                yield play_check(plan.key, span, plan.seed)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from sim.batch.pool import in_order, start_method
        from sim.batch.runs import start_worker

        ctx = multiprocessing.get_context(start_method())
        pool = ProcessPoolExecutor(
            min(self.workers, len(spans)),
            mp_context=ctx,
            initializer=start_worker,
            initargs=(plan,),
        )
        # in_order is typed for batch chunks; it passes any task's answer through unchanged.
        submit = cast(Any, lambda span: pool.submit(play_check, plan.key, span, plan.seed))
        try:
            yield from cast(
                Iterator[list[tuple[CheckRun, ...]]], in_order(submit, spans, self.workers * 4)
            )
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Finding:
    """One failed rule, for the table."""

    rule: str
    subject: str
    detail: str


@dataclass
class CheckReport:
    """Everything check measured, and what failed."""

    scenario: str
    runs: int
    reach_runs: int
    actors: tuple[str, ...]
    outcomes: dict[str, float]
    """Outcome id to its share of the ``runs`` runs, in scenario order (then others)."""
    rare: dict[str, str]
    """End states marked rare, with the reason."""
    first_reached: dict[str, int | None]
    """End state id to the first run index reaching it (None: not within ``reach_runs``)."""
    red_lines: dict[tuple[str, str], float]
    """(actor, red line) to its firing share over ``runs``."""
    red_first: dict[tuple[str, str], int | None]
    unreachable: dict[tuple[str, str], str]
    swaps: dict[str, dict[str, float]]
    """Actor to the change of each outcome share when it is played by the baseline player."""
    openings: dict[int, dict[str, tuple[str, float]]]
    """Round to actor to (its most common move that round, share of runs it appears in)."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no rule failed."""
        return not self.findings


def expect_findings(
    recipe: Recipe, report: CheckReport, seed: int = 1, workers: int = 1
) -> list[Finding]:
    """The scenario's own balance goals (``expect:``, see :mod:`sim.batch.expect`), judged on a
    batch of ``report.runs`` runs of the scenario as written: one finding per goal not met.

    Played apart from the check's runs (they keep only what the rules need); nothing is played
    when the scenario sets no goals.
    """
    goals = recipe.scenario.expect
    if not goals:
        return []
    from sim.batch.expect import evaluate
    from sim.batch.pool import Processes
    from sim.batch.runs import RunResult, Serial, run_batch
    from sim.batch.tally import Tally

    world = recipe.build()
    tally = Tally(world)

    def on_run(results: tuple[RunResult, ...]) -> None:
        tally.add(results[0])

    backend = Processes(workers) if workers > 1 else Serial()
    run_batch([recipe], report.runs, seed, backend=backend, on_run=on_run, worlds=[world])
    return [
        Finding("balance goal", f.that, f.problem.message)
        for f in evaluate(goals, tally.report(), None, recipe.scenario)
    ]


def check(
    recipe: Recipe,
    n: int = 500,
    seed: int = 1,
    *,
    reach: int = REACH,
    workers: int = 1,
    swap_actors: Sequence[str] | None = None,
) -> CheckReport:
    """Play and judge one scenario (see the module docstring)."""
    from sim.authoring.overrides import Setting

    base = recipe.build()
    actors = tuple(base.actors)
    swapped = tuple(swap_actors if swap_actors is not None else actors)
    recipes = [recipe]
    for a in swapped:
        recipes.append(recipe.with_settings([Setting.parse(f"{a}.policy=baseline")]))
    worlds = [base, *(r.build() for r in recipes[1:])]
    pool = _Pool(workers)

    counts: list[Counter[str]] = [Counter() for _ in recipes]
    fired: Counter[tuple[str, str]] = Counter()
    first_end: dict[str, int] = {}
    first_red: dict[tuple[str, str], int] = {}
    tops: dict[int, list[Counter[str]]] = {r: [Counter() for _ in actors] for r in ROUNDS}
    gave: dict[int, list[int]] = {r: [0] * len(actors) for r in ROUNDS}
    index = 0
    plan = Plan(tuple(recipes), seed)
    for chunk in pool.chunks(plan, worlds, spans_for(n, workers)):
        for results in chunk:
            main = results[0]
            for k, r in enumerate(results):
                counts[k][r.outcome] += 1
            first_end.setdefault(main.outcome, index)
            for pair in main.red_lines:
                fired[pair] += 1
                first_red.setdefault(pair, index)
            for rnd, orders in zip(ROUNDS, main.orders, strict=True):
                for ai, made in enumerate(orders):
                    if made:
                        gave[rnd][ai] += 1
                        tops[rnd][ai].update(set(made))
            index += 1

    ends = [e.spec for e in base.ends]
    red_specs = [(a, rl) for a in actors for rl in base.models[a].profile.red_lines]

    def missing() -> bool:
        return any(e.id not in first_end and not e.rare for e in ends) or any(
            (a, rl.id) not in first_red and base.scenario.id not in rl.unreachable
            for a, rl in red_specs
        )

    # Keep playing the scenario alone, in chunks, while something unmarked is still unseen.
    solo = Plan((recipe,), seed)
    while index < reach and missing():
        stop = min(reach, index + max(100, n))
        spans = [(s, min(s + 64, stop)) for s in range(index, stop, 64)]
        for chunk in pool.chunks(solo, [base], spans):
            for (main,) in chunk:
                first_end.setdefault(main.outcome, index)
                for pair in main.red_lines:
                    first_red.setdefault(pair, index)
                index += 1

    declared = [e.id for e in ends]
    ids = [*declared, *sorted(set().union(*counts) - set(declared))]
    shares = [{o: c[o] / n for o in ids} for c in counts]
    report = CheckReport(
        scenario=base.scenario.id,
        runs=n,
        reach_runs=index,
        actors=actors,
        outcomes=shares[0],
        rare={e.id: e.rare for e in ends if e.rare},
        first_reached={e.id: first_end.get(e.id) for e in ends},
        red_lines={(a, rl.id): fired[(a, rl.id)] / n for a, rl in red_specs},
        red_first={(a, rl.id): first_red.get((a, rl.id)) for a, rl in red_specs},
        unreachable={
            (a, rl.id): rl.unreachable[base.scenario.id]
            for a, rl in red_specs
            if base.scenario.id in rl.unreachable
        },
        swaps={a: {o: shares[k + 1][o] - shares[0][o] for o in ids} for k, a in enumerate(swapped)},
        openings={
            rnd: {
                a: (
                    (lambda c, g: (c.most_common(1)[0][0], c.most_common(1)[0][1] / g))(
                        tops[rnd][i], gave[rnd][i]
                    )
                    if gave[rnd][i]
                    else ("-", 0.0)
                )
                for i, a in enumerate(actors)
            }
            for rnd in ROUNDS
        },
    )
    judge(report)
    report.findings.extend(expect_findings(recipe, report, seed, workers))
    return report


def judge(r: CheckReport) -> None:
    """Fill ``r.findings`` from the measured figures."""
    for o, share in r.outcomes.items():
        if share > MAX_SHARE:
            r.findings.append(
                Finding(
                    "dominant outcome", o, f"{share:.1%} of {r.runs} runs (max {MAX_SHARE:.0%})"
                )
            )
    for o, first in r.first_reached.items():
        if first is None and o not in r.rare:
            r.findings.append(
                Finding(
                    "end state never reached",
                    o,
                    f"0 of {r.reach_runs} runs; mark it `rare:` with a reason if intended",
                )
            )
    for (a, rid), first in r.red_first.items():
        if first is None and (a, rid) not in r.unreachable:
            r.findings.append(
                Finding(
                    "red line never fires",
                    f"{a}.{rid}",
                    f"0 of {r.reach_runs} runs; or mark it `unreachable: {{{r.scenario}: reason}}`",
                )
            )
    if r.swaps:
        best = max(
            ((abs(d), a, o) for a, shift in r.swaps.items() for o, d in shift.items()),
            default=(0.0, "-", "-"),
        )
        if best[0] < MIN_SWAP_SHIFT:
            r.findings.append(
                Finding(
                    "play does not matter",
                    "baseline swap",
                    f"largest shift {best[0]:.1%} ({best[1]} on {best[2]}); "
                    f"needs {MIN_SWAP_SHIFT:.0%}",
                )
            )


def render(r: CheckReport) -> str:
    """The report as plain text tables."""
    lines = [f"sitroom check {r.scenario}: {r.runs} runs (reach checked over {r.reach_runs})", ""]
    lines.append(f"{'outcome':26} {'share':>7}  {'first run':>9}  note")
    for o, share in r.outcomes.items():
        first = r.first_reached.get(o)
        mark = "" if first is not None else "-"
        note = f"rare: {r.rare[o]}" if o in r.rare else ""
        flag = " !" if share > MAX_SHARE else ""
        lines.append(
            f"{o:26} {share:>7.1%}  {first if first is not None else mark:>9}  {note}{flag}"
        )
    lines += ["", f"{'red line':40} {'fires':>7}  {'first run':>9}  note"]
    for (a, rid), share in r.red_lines.items():
        first = r.red_first[(a, rid)]
        note = f"unreachable: {r.unreachable[(a, rid)]}" if (a, rid) in r.unreachable else ""
        lines.append(
            f"{a + '.' + rid:40} {share:>7.1%}  {first if first is not None else '-':>9}  {note}"
        )
    if r.swaps:
        lines += ["", "baseline swap: largest change of an outcome share when one actor is played"]
        lines.append("by the baseline player (same seeds)")
        for a, shift in r.swaps.items():
            o, d = max(shift.items(), key=lambda kv: abs(kv[1]))
            lines.append(f"  {a:10} {d:>+7.1%}  {o}")
    lines += [
        "",
        f"{'actor':10} " + "  ".join(f"{'round ' + str(x) + ' top move':>36}" for x in ROUNDS),
    ]
    for a in r.actors:
        cells = []
        for rnd in ROUNDS:
            move, share = r.openings[rnd][a]
            cells.append(f"{move:>28} {share:>6.0%}")
        lines.append(f"{a:10} " + "  ".join(cells))
    lines.append(
        f"(goal: top move in at most {OPENING_GOAL:.0%} of an actor's orders of the round)"
    )
    lines.append("")
    if r.ok:
        lines.append("check passed")
    else:
        lines.append(f"check FAILED ({len(r.findings)}):")
        for f in r.findings:
            lines.append(f"  {f.rule:24} {f.subject:30} {f.detail}")
    return "\n".join(lines)
