"""The names a scenario's ``expect:`` goals may read, and their check when the file loads.

Goals are expressions over batch results rather than over the state; they are compiled with the
same checked expression language, so a typo in ``outcome.managed_transtion`` is a load error with
its position, not a surprise in CI.
"""

from __future__ import annotations

from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc
from sim.engine.expr import Expr, ExprError, compile_expr
from sim.models import Scenario

UNRESOLVED = "unresolved"
"""The outcome of a run in which no end condition held (as sim.batch.tally counts it)."""


def batch_names(scenario: Scenario) -> list[str]:
    """Every name an expectation may read, for ``scenario``."""
    outcomes = [e.id for e in scenario.end_conditions] + [UNRESOLVED]
    return [
        "runs",
        *(f"outcome.{o}" for o in outcomes),
        *(f"round.{o}" for o in outcomes),
        *(f"objective.{o.id}" for o in scenario.objectives if o.measure is not None),
        *(f"trigger.{t.id}" for t in scenario.triggers),
        *(f"mean.{i.id}" for i in scenario.indicators),
    ]


def compile_expectation(scenario: Scenario, source: str) -> Expr:
    """The compiled goal; raises :class:`ExprError` naming an unknown name."""
    return compile_expr(source, batch_names(scenario))


def expectation_problems(scenario: Scenario, doc: Doc) -> list[Problem]:
    """A problem for each goal that does not compile (syntax, or a name batches do not give)."""
    out = []
    for i, goal in enumerate(scenario.expect):
        try:
            compile_expectation(scenario, goal.that)
        except ExprError as exc:
            out.append(doc.problem(("expect", i, "that"), exc.message, offset=exc.offset))
    return out
