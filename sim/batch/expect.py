"""Balance goals: a scenario's ``expect:`` list asserted against a batch summary.

``evaluate(expectations, summary)`` reads the report :meth:`sim.batch.tally.Tally.report` gives
(one variant) and returns one :class:`Failure` per goal that does not hold, each with the values
it read and, when the scenario's document is given, the goal's ``file:line:col``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.authoring.expectations import batch_names
from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc
from sim.engine.expr import compile_expr
from sim.models.scenario import Expectation, Scenario


@dataclass(frozen=True)
class Failure:
    """One goal that did not hold."""

    index: int
    """Its position in ``expect:``."""
    that: str
    values: Mapping[str, float]
    """The batch figures it read."""
    problem: Problem
    """The message, positioned at the goal when the document was given."""


def values_of(summary: Mapping[str, Any]) -> dict[str, float]:
    """The names a goal may read, from one variant's batch report."""
    values: dict[str, float] = {"runs": float(summary["games"])}
    for o, v in summary["outcomes"].items():
        values[f"outcome.{o}"] = float(v["share"])
    for o, v in summary.get("outcome_rounds", {}).items():
        values[f"round.{o}"] = math.nan if v["mean"] is None else float(v["mean"])
    for o, v in summary.get("objectives", {}).items():
        values[f"objective.{o}"] = float(v["share"])
    for t, v in summary.get("triggers", {}).items():
        values[f"trigger.{t}"] = float(v["share"])
    for i, v in summary["indicators"].items():
        values[f"mean.{i}"] = float(v["mean"])
    return values


def _shown(name: str, value: float, summary: Mapping[str, Any]) -> str:
    if math.isnan(value):
        return f"{name} = never happened"
    if name.startswith(("outcome.", "objective.", "trigger.")):
        return f"{name} = {value:.3f}"
    return f"{name} = {value:g}"


def evaluate(
    expectations: Sequence[Expectation],
    summary: Mapping[str, Any],
    doc: Doc | None = None,
    scenario: Scenario | None = None,
) -> list[Failure]:
    """Every goal that fails on ``summary``; ``doc`` positions the messages in the file.

    Names are checked against ``scenario`` when given (as the loader does), else against the
    summary's own figures. A goal that reads a round of an outcome that never happened fails.
    """
    values = values_of(summary)
    known = batch_names(scenario) if scenario is not None else list(values)
    out = []
    for i, goal in enumerate(expectations):
        expr = compile_expr(goal.that, known)
        read = {n: values.get(n, math.nan) for n in sorted(expr.names)}
        held = not any(math.isnan(v) for v in read.values()) and bool(expr.fn(read))
        if held:
            continue
        figures = ", ".join(_shown(n, v, summary) for n, v in read.items())
        why = f" ({goal.why})" if goal.why else ""
        message = (
            f"balance goal not met over {summary['games']:,} runs: {goal.that}{why}; "
            f"got {figures or 'no figures'}"
        )
        where = ("expect", i, "that")
        problem = (
            doc.problem(where, message) if doc is not None else Problem("<scenario>", 0, 0, message)
        )
        out.append(Failure(i, goal.that, read, problem))
    return out
