"""Batch runs: thousands of computer-played sessions of one scenario (or two variants of it).

The parent builds each variant's world once to validate it, then hands workers a :class:`Plan`
(the scenario, profiles and catalogues: small, picklable models) rather than a compiled world;
each worker builds the worlds once and plays chunks of run indices. A worker returns one small
:class:`RunResult` per run, never a log, and the parent folds them in run-index order, so memory
stays flat and the figures are the same whatever the number of workers or where they run.

Run ``i`` of a batch with seed ``S`` plays seed :func:`run_seed` ``(S, i)`` in every variant:
variants are compared on the same seeds (common random numbers), which removes most of the noise
from their difference.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter
from typing import Protocol, overload

from sim.authoring.overrides import Setting, apply_settings
from sim.authoring.scripts import seats_for
from sim.engine.build import build, content_hash
from sim.engine.events import Event, MoveMade
from sim.engine.expr import Value
from sim.engine.policy import policy_names
from sim.engine.rng import uniform
from sim.engine.session import Session
from sim.engine.world import World
from sim.models import ActorProfile, Catalogue, Scenario

Span = tuple[int, int]
"""Run indices ``start <= i < stop`` handed to a worker as one task."""
Chunk = list[tuple["RunResult", ...]]
"""One task's answer: for each run of the span, one result per variant."""


class BatchError(Exception):
    """A variant that cannot be built (its settings make the scenario invalid)."""


@dataclass(frozen=True)
class Recipe:
    """What it takes to build a world anywhere: a scenario with its profiles and catalogues."""

    scenario: Scenario
    profiles: Mapping[str, ActorProfile]
    """Keyed by profile id, as :func:`sim.world.build` expects."""
    catalogues: Mapping[str, Catalogue]
    settings: tuple[Setting, ...] = ()
    """The settings already applied to ``scenario``, kept for reports."""

    @property
    def key(self) -> str:
        """A content hash: equal recipes build equal worlds."""
        return content_hash(
            self.scenario, list(self.profiles.values()), list(self.catalogues.values())
        )

    def build(self) -> World:
        """Compile the world; :class:`BatchError` lists the errors if it is invalid."""
        world, issues = build(self.scenario, self.profiles, self.catalogues)
        if world is None:
            errors = "; ".join(
                f"{i.origin} {'.'.join(map(str, i.loc))}: {i.message}"
                for i in issues
                if i.severity == "error"
            )
            raise BatchError(
                f"scenario '{self.scenario.id}' with "
                f"{' '.join(s.text for s in self.settings) or 'no settings'} "
                f"does not build: {errors}"
            )
        return world

    def with_settings(self, settings: Sequence[Setting]) -> Recipe:
        """This recipe with more settings applied (raises :class:`SettingError`)."""
        scenario = apply_settings(self.scenario, self.profiles, settings, policy_names())
        return Recipe(scenario, self.profiles, self.catalogues, (*self.settings, *settings))


def recipe_for(ref: str) -> Recipe:
    """The recipe of a bundled scenario id or a scenario path; :class:`UserError` if invalid."""
    from sim.authoring.loader import build_bundle, gather, load_file, resolve_scenario
    from sim.authoring.problems import UserError

    model, doc = load_file(resolve_scenario(ref), expect="scenario")
    assert isinstance(model, Scenario)
    bundle = gather(model, doc)
    world, problems = build_bundle(bundle)
    if world is None:
        raise UserError(problems)
    return Recipe(
        model,
        {k: m for k, (m, _) in bundle.profiles.items()},
        {k: m for k, (m, _) in bundle.catalogues.items()},
    )


def run_seed(seed: int, index: int) -> int:
    """The session seed of run ``index``: 48 bits from the engine's keyed RNG.

    Hashing rather than ``seed * K + index`` keeps batches with nearby seeds from sharing runs.
    """
    return int(uniform(seed, "batch", index) * (1 << 48))


@dataclass(frozen=True, slots=True)
class RunResult:
    """What the parent keeps of one run: a few numbers, in the world's own orders."""

    index: int
    seed: int
    outcome: str
    rounds: int
    indicators: tuple[float, ...]
    """Final value of each indicator, in scenario order."""
    escalation: tuple[float, ...]
    """Each actor's mean escalation level over its moves (0 if it made none), in actor order."""
    moves: tuple[tuple[int, str, int], ...]
    """(actor index, move id, times used)."""
    triggers: tuple[str, ...]
    """Ids of the triggers that fired at least once."""
    objectives: tuple[str, ...] = ()
    """Ids of the measured learning objectives whose measure held at the end."""
    clamped: tuple[tuple[str, int], ...] = ()
    """(move id, times its chance formula gave a value outside 0..1), for moves where it did."""


def result_of(session: Session, index: int, clamped: Counter[str] | None = None) -> RunResult:
    """Boil a finished session down to its :class:`RunResult`."""
    return _Shape(session.world).result(session, index, clamped)


_actor_move = attrgetter("actor", "move")


class _Shape:
    """What :func:`result_of` reads off a world, worked out once per world rather than per run."""

    __slots__ = ("actor_index", "actors", "indicators", "measures")

    def __init__(self, world: World) -> None:
        self.actors = world.actors
        self.actor_index = {a: i for i, a in enumerate(world.actors)}
        self.indicators = [i.id for i in world.scenario.indicators]
        self.measures = [(oid, m) for oid, m in world.objectives if m is not None]

    def result(
        self, session: Session, index: int, clamped: Counter[str] | None = None
    ) -> RunResult:
        """The session's :class:`RunResult`."""
        # Read off the state, the fold of the log: every move made has a record, every trigger
        # that fired keeps its first place in ``fired``, and each closed round moved ``round``
        # on by one.
        state = session.state
        values, escalation, actor_index = state.values, state.escalation, self.actor_index
        moves = Counter(map(_actor_move, state.moves.values()))
        ladders = [escalation.get(a) or () for a in self.actors]
        return RunResult(
            index=index,
            seed=session.seed,
            outcome=state.outcome or "unresolved",
            rounds=state.round - 1,
            indicators=tuple([float(values[i]) for i in self.indicators]),
            escalation=tuple([sum(v) / len(v) if v else 0.0 for v in ladders]),
            # Sorting the (actor, move) keys, which are unique, orders the items as sorting
            # the items did, comparing one level of tuples less (~40% of this method).
            moves=tuple([(actor_index[a], m, moves[a, m]) for a, m in sorted(moves)]),
            triggers=tuple(state.fired),
            objectives=tuple([oid for oid, measure in self.measures if measure(values)]),
            clamped=tuple(sorted(clamped.items())) if clamped else (),
        )


def chance_watch(
    world: World,
) -> tuple[Counter[str], Callable[[Session, list[Event]], None]] | None:
    """A round hook counting moves whose chance formula left 0..1 (None if no move has one).

    Rulings read the state as the round closes, which is the state the previous round left, so
    the hook keeps that state's values and evaluates each move made on them.
    """
    return _watch(world, _formulas(world))


def _formulas(world: World) -> frozenset[str]:
    """The moves whose chance is a formula rather than a constant."""
    return frozenset(mid for mid, spec in world.moves.items() if spec.chance.constant is None)


def _watch(
    world: World, formulas: frozenset[str]
) -> tuple[Counter[str], Callable[[Session, list[Event]], None]] | None:
    if not formulas:
        return None
    counts: Counter[str] = Counter()
    # The values the previous round left: one copy a round, replaced rather than refilled.
    before: list[dict[str, Value]] = [{}]

    def on_round(session: Session, events: list[Event]) -> None:
        values = before[0]
        for e in events:
            if isinstance(e, MoveMade) and e.move in formulas:
                bound = world.bound_move(e.actor, e.move, e.target)
                raw = float(bound.chance.fn(values))
                if not 0.0 <= raw <= 1.0:
                    counts[e.move] += 1
        before[0] = dict(session.state.values)

    return counts, on_round


def _watch_records(
    world: World, formulas: frozenset[str]
) -> tuple[Counter[str], Callable[[Session, list[Event]], None]] | None:
    """:func:`_watch` reading the round's moves off the state rather than the round's events:
    every ``MoveMade`` adds one record to ``state.moves`` (its ``mid`` is unique), so the
    records added since the last call are the round's moves. Scanning ~70 events a round for
    the one to three formula moves was ~80% of the hook's cost (~35 us a run)."""
    if not formulas:
        return None
    counts: Counter[str] = Counter()
    before: list[dict[str, Value]] = [{}]
    seen = [0]
    bound_move = world.bound_move

    def on_round(session: Session, events: list[Event]) -> None:
        values, moves = before[0], session.state.moves
        if len(moves) > seen[0]:
            for rec in islice(moves.values(), seen[0], None):
                if rec.move in formulas:
                    raw = float(bound_move(rec.actor, rec.move, rec.target).chance.fn(values))
                    if not 0.0 <= raw <= 1.0:
                        counts[rec.move] += 1
            seen[0] = len(moves)
        before[0] = dict(session.state.values)

    return counts, on_round


class _Runner:
    """Plays one world's runs as a batch does; what does not change from run to run (the seats,
    the moves to watch, the result's shape) is worked out once, for a whole span."""

    __slots__ = ("formulas", "seats", "shape", "world")

    def __init__(self, world: World) -> None:
        self.world = world
        self.seats = seats_for(world, None)
        self.formulas = _formulas(world)
        self.shape = _Shape(world)

    def play(self, index: int, seed: int) -> RunResult:
        """Run ``index`` on ``seed``, boiled down: what ``sim.record.runner.run`` (lean, with the
        chance hook when a move has a formula) then :func:`result_of` give."""
        session = Session(self.world, seed, self.seats, lean=True)
        watch = _watch_records(self.world, self.formulas)
        if watch is None:
            while not session.over:
                session.close_round()
            return self.shape.result(session, index)
        counts, hook = watch
        hook(session, [])  # the state the first round's rulings will read
        while not session.over:
            hook(session, session.close_round())
        return self.shape.result(session, index, counts)


@dataclass(frozen=True)
class Plan:
    """A batch as workers see it: the variants' recipes and the base seed."""

    recipes: tuple[Recipe, ...]
    seed: int
    key: str = field(init=False)

    def __post_init__(self) -> None:
        keys = "|".join(r.key for r in self.recipes)
        object.__setattr__(self, "key", keys)


_installed: dict[str, tuple[World, ...]] = {}
"""This process's worlds by plan key, built once: a worker plays many chunks of the same batch.

A dict rather than one slot because threads of an in-process Dask cluster share it.
"""


_install_lock = threading.Lock()


def install(plan: Plan, worlds: Sequence[World] | None = None) -> tuple[World, ...]:
    """Build (or adopt already built) worlds for ``plan`` in this process.

    Thread-safe: a Dask worker runs tasks on several threads.
    """
    with _install_lock:
        hit = _installed.get(plan.key)
        if hit is None:
            hit = tuple(worlds) if worlds is not None else tuple(r.build() for r in plan.recipes)
            while len(_installed) >= 4:  # a long-lived worker may serve many batches
                del _installed[next(iter(_installed))]
            _installed[plan.key] = hit
        return hit


def play(plan: Plan | str, span: Span, seed: int = 0) -> Chunk:
    """Play runs ``span`` of a plan.

    A plain key (with the batch ``seed``) names a plan already installed in this process, so a
    pool's tasks do not carry the scenario each time.
    """
    if isinstance(plan, str):
        worlds, base = _installed[plan], seed
    else:
        worlds, base = install(plan), plan.seed
    runners = [_Runner(w) for w in worlds]
    # Collect each run's cycles (~1,000 objects: the session, its kernel and events) as soon as
    # it ends, while they are in cache, when the batch owns the collector (a worker, a serial
    # batch: see batch_collector); left to pile up, 64 runs' worth took ~4x as long to collect.
    collect = not gc.isenabled()
    out: Chunk = []
    for i in range(*span):
        s = run_seed(base, i)
        out.append(tuple([r.play(i, s) for r in runners]))
        if collect:
            gc.collect(0)
    if collect:
        gc.collect()  # what outlived its run and died since (bounded memory, issue 16)
    return out


BATCH_GC_THRESHOLD = (50_000, 20, 100)
"""Collector thresholds for code that plays runs without :func:`play` (``tuned_gc``): a run
allocates freely and leaves only a few cycles (its SimPy processes), so collecting every 700
allocations, Python's default, costs ~8% of the run time for nothing."""


def tune_gc() -> None:
    """Set a worker process up to play many runs: move everything alive now (the engine, the
    worlds) out of the collector's sight, since it lives as long as the process, and leave the
    collecting to :func:`play` (after every run). Freezing walks nothing, so a forked worker's
    inherited pages stay shared."""
    gc.freeze()
    gc.disable()


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Collect rarely for a while (runs played outside :func:`play`), then as before.

    Nothing is frozen here: unfreezing afterwards would also undo a freeze the host made.
    """
    before = gc.get_threshold()
    gc.set_threshold(*BATCH_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def batch_collector() -> Iterator[None]:
    """No automatic collections for a while (a serial batch in the caller's process): ``play``
    collects after every run instead. The collector is on again afterwards if it was before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def start_worker(plan: Plan) -> None:
    """A local worker process's initializer: the plan's worlds, then the batch's collector."""
    install(plan)
    tune_gc()


class Backend(Protocol):
    """Where the runs are played; yields each span's chunk in the order of ``spans``."""

    workers: int
    """How many runs can be played at once (sizes the tasks)."""

    def chunks(self, plan: Plan, worlds: Sequence[World], spans: Sequence[Span]) -> Iterator[Chunk]:
        """Play every span and yield the answers in order."""
        ...


class Serial:
    """Play in this process: no start-up cost, the reference for every other backend."""

    workers = 1

    def chunks(self, plan: Plan, worlds: Sequence[World], spans: Sequence[Span]) -> Iterator[Chunk]:
        """Play every span here, in order."""
        install(plan, worlds)
        with batch_collector():
            for span in spans:
                yield play(plan.key, span, plan.seed)


class Spans(Sequence[Span]):
    """``range(n)`` cut into consecutive spans of ``size`` runs, computed on demand; the last
    ``tail`` runs (about) in spans of ``small`` runs.

    A sequence rather than a list so that a batch of any size costs the same few bytes before
    its first run: a list of a billion runs' spans took 2 GB (issue 16). The small spans at the
    end let the workers finish together: with 64-run spans to the end, one worker could sit idle
    for most of a span (~1 s) while the other played the last one.
    """

    __slots__ = ("head", "n", "size", "small")

    def __init__(self, n: int, size: int, tail: int = 0, small: int | None = None) -> None:
        self.n = n
        self.size = size
        self.small = max(1, min(size, small or size))
        self.head = max(0, n - tail) // size
        """How many spans of ``size`` come first."""

    def __len__(self) -> int:
        return self.head - (-(self.n - self.head * self.size) // self.small)

    @overload
    def __getitem__(self, i: int) -> Span: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Span]: ...

    def __getitem__(self, i: int | slice) -> Span | Sequence[Span]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i < self.head:
            start = i * self.size
            return (start, start + self.size)
        start = self.head * self.size + (i - self.head) * self.small
        return (start, min(start + self.small, self.n))

    def __iter__(self) -> Iterator[Span]:
        n, size, small = self.n, self.size, self.small
        cut = self.head * size
        for start in range(0, cut, size):
            yield (start, start + size)
        for start in range(cut, n, small):
            yield (start, min(start + small, n))


def spans_for(n: int, workers: int) -> Spans:
    """Cut ``range(n)`` into tasks: about 16 per worker for balance, each 1..64 runs, the last
    two spans' worth per worker in eighths.

    Small enough that the progress bar moves, a slow chunk does not leave a core idle at the end
    and Ctrl-C returns within a second (queued tasks still finish), large enough that the
    per-task overhead (pickling, a round trip: about a millisecond) stays negligible.
    """
    size = max(1, min(64, n // max(1, workers * 16)))
    return Spans(n, size, tail=2 * max(1, workers) * size, small=size // 8)


@dataclass(frozen=True)
class Finished:
    """A finished batch (the results themselves went to ``on_run``): size, time, worlds."""

    games: int
    wall_seconds: float
    worlds: tuple[World, ...]


def run_batch(
    recipes: Sequence[Recipe],
    n: int,
    seed: int = 0,
    *,
    backend: Backend | None = None,
    on_run: Callable[[tuple[RunResult, ...]], None] | None = None,
    worlds: Sequence[World] | None = None,
) -> Finished:
    """Play ``n`` runs of every variant; ``on_run`` sees each run's results in index order.

    ``worlds`` are the recipes' built worlds if the caller already has them (to validate early).
    """
    built = tuple(worlds) if worlds is not None else tuple(r.build() for r in recipes)
    plan = Plan(tuple(recipes), seed)
    backend = backend or Serial()
    started = time.perf_counter()
    for chunk in backend.chunks(plan, built, spans_for(n, backend.workers)):
        if on_run is not None:
            for results in chunk:
                on_run(results)
    return Finished(n, time.perf_counter() - started, built)
