"""Folding run results into a batch summary, in memory that does not grow with the run count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sim import __version__
from sim.batch.runs import Finished, RunResult
from sim.batch.stats import Distribution, newcombe, wilson
from sim.engine.world import World

UNRESOLVED = "unresolved"
"""The session's outcome when no end condition held at the end of the clock."""
TOP_MOVES = 3


def _r(x: float) -> float:
    """Rounded for reports: six decimals hide float noise and are far below any CI width."""
    return round(x, 6)


class Tally:
    """One variant's running totals: counts, sums and bounded distributions."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.games = 0
        self.outcomes: Counter[str] = Counter()
        self.rounds: Counter[int] = Counter()
        ranges = world.ranges
        self.indicators = [Distribution(*ranges[i.id]) for i in world.scenario.indicators]
        self.escalation = [0.0] * len(world.actors)
        # Per actor index, by move id, in plain dicts: a run adds ~60 moves; string keys hash
        # once (a fresh (actor, move) tuple key was hashed and compared on every update), and
        # ``d[k] = d.get(k, 0) + n`` took 0.4 of a Counter's ``+=`` (a dict subclass).
        self.moves: list[dict[str, int]] = [{} for _ in world.actors]
        """Times each actor used each move, over all runs."""
        self.move_runs: list[dict[str, int]] = [{} for _ in world.actors]
        """Runs in which each actor used each move."""
        self.triggers: Counter[str] = Counter()
        self.outcome_rounds: dict[str, Counter[int]] = {}
        self.objectives: Counter[str] = Counter()
        self.clamped: Counter[str] = Counter()
        self.clamped_runs: Counter[str] = Counter()

    def add(self, r: RunResult) -> None:
        """Count one run (the caller feeds runs in index order)."""
        self.games += 1
        self.outcomes[r.outcome] += 1
        self.rounds[r.rounds] += 1
        for dist, x in zip(self.indicators, r.indicators, strict=True):
            dist.add(x)
        for i, x in enumerate(r.escalation):
            self.escalation[i] += x
        moves, move_runs = self.moves, self.move_runs
        for a, move, count in r.moves:
            used = moves[a]
            used[move] = used.get(move, 0) + count
            used = move_runs[a]
            used[move] = used.get(move, 0) + 1
        self.triggers.update(r.triggers)
        self.outcome_rounds.setdefault(r.outcome, Counter())[r.rounds] += 1
        self.objectives.update(r.objectives)
        for move, count in r.clamped:
            self.clamped[move] += count
            self.clamped_runs[move] += 1

    def outcome_ids(self) -> list[str]:
        """Declared end states in scenario order, then any other outcome seen."""
        declared = [e.spec.id for e in self.world.ends]
        return [*declared, *sorted(set(self.outcomes) - set(declared))]

    def report(self) -> dict[str, Any]:
        """The variant's summary as plain JSON-ready data."""
        n, world = self.games, self.world
        titles = {e.spec.id: e.spec.title for e in world.ends}
        titles.setdefault(UNRESOLVED, "No end condition held")
        per_game = max(n, 1)
        total_rounds = sum(r * c for r, c in self.rounds.items())
        top: dict[str, dict[str, float]] = {}
        for i, actor in enumerate(world.actors):
            used = sorted((-c, m) for m, c in self.moves[i].items())[:TOP_MOVES]
            top[actor] = {m: _r(-neg / per_game) for neg, m in used}
        return {
            "scenario": world.id,
            "scenario_hash": world.content_hash,
            "games": n,
            "rounds": total_rounds,
            "rounds_per_game": {
                "mean": _r(total_rounds / per_game),
                "min": min(self.rounds, default=0),
                "max": max(self.rounds, default=0),
            },
            "outcomes": {
                o: {
                    "title": titles.get(o, o),
                    "count": self.outcomes[o],
                    "share": _r(self.outcomes[o] / per_game),
                    "ci95": [_r(x) for x in wilson(self.outcomes[o], n)],
                }
                for o in self.outcome_ids()
            },
            "indicators": {
                ind.id: {
                    "label": ind.label,
                    "mean": _r(d.mean),
                    "p5": _r(d.quantile(0.05)),
                    "p95": _r(d.quantile(0.95)),
                }
                for ind, d in zip(world.scenario.indicators, self.indicators, strict=True)
            },
            "mean_escalation": {
                a: _r(self.escalation[i] / per_game) for i, a in enumerate(world.actors)
            },
            "top_moves": top,
            "triggers": {
                t.spec.id: {
                    "runs": self.triggers[t.spec.id],
                    "share": _r(self.triggers[t.spec.id] / per_game),
                }
                for t in world.triggers
            },
            "outcome_rounds": {
                o: _round_stats(self.outcome_rounds.get(o, Counter())) for o in self.outcome_ids()
            },
            "objectives": {
                oid: {
                    "text": next(o.text for o in world.scenario.objectives if o.id == oid),
                    "runs": self.objectives[oid],
                    "share": _r(self.objectives[oid] / per_game),
                    "ci95": [_r(x) for x in wilson(self.objectives[oid], n)],
                }
                for oid, measure in world.objectives
                if measure is not None
            },
            "move_use": self.move_use(),
            "chance_clamped": {
                m: {"times": self.clamped[m], "runs": self.clamped_runs[m]}
                for m in sorted(self.clamped)
            },
        }

    def move_use(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every move each actor may use: uses per run, share of runs using it, and whether
        the scenario defines it (custom) rather than a catalogue; most used first."""
        per_game = max(self.games, 1)
        custom = {m.id for m in self.world.scenario.moves.extra}
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for i, actor in enumerate(self.world.actors):
            moves, runs = self.moves[i], self.move_runs[i]
            usable = set(self.world.usable[actor]) | set(moves)
            ranked = sorted(usable, key=lambda m: (-moves.get(m, 0), m))
            out[actor] = {
                m: {
                    "per_run": _r(moves.get(m, 0) / per_game),
                    "share": _r(runs.get(m, 0) / per_game),
                    "custom": m in custom,
                }
                for m in ranked
            }
        return out


def _round_stats(rounds: Counter[int]) -> dict[str, float | int | None]:
    """Mean, min and max of the round in which an outcome happened (None if it never did)."""
    n = sum(rounds.values())
    if n == 0:
        return {"runs": 0, "mean": None, "min": None, "max": None}
    return {
        "runs": n,
        "mean": _r(sum(r * c for r, c in rounds.items()) / n),
        "min": min(rounds),
        "max": max(rounds),
    }


def compare(a: Tally, b: Tally) -> dict[str, dict[str, Any]]:
    """Each outcome's share in A and B and the difference B - A with its 95% interval."""
    ids = list(dict.fromkeys([*a.outcome_ids(), *b.outcome_ids()]))
    out: dict[str, dict[str, Any]] = {}
    for o in ids:
        ka, kb = a.outcomes[o], b.outcomes[o]
        lo, hi = newcombe(kb, b.games, ka, a.games)
        out[o] = {
            "a": _r(ka / max(a.games, 1)),
            "b": _r(kb / max(b.games, 1)),
            "difference": _r(kb / max(b.games, 1) - ka / max(a.games, 1)),
            "ci95": [_r(lo), _r(hi)],
        }
    return out


def batch_report(
    tallies: Sequence[Tally],
    settings: Sequence[Sequence[str]],
    result: Finished,
    seed: int,
    workers: int,
) -> dict[str, Any]:
    """The whole batch for ``--json``: one variant flat, two as ``a``/``b`` plus ``difference``."""
    head: dict[str, Any] = {
        "engine": __version__,
        "seed": seed,
        "games": result.games,
        "workers": workers,
        "wall_seconds": _r(result.wall_seconds),
    }
    if len(tallies) == 1:
        return {**head, **tallies[0].report(), "settings": list(settings[0])}
    variants = [{**t.report(), "settings": list(s)} for t, s in zip(tallies, settings, strict=True)]
    return {
        **head,
        "rounds": sum(v["rounds"] for v in variants),
        "a": variants[0],
        "b": variants[1],
        "difference": compare(tallies[0], tallies[1]),
    }
