"""Syntax checks of every expression in a model, without knowing the scenario's state names.

A profile or catalogue is checked on its own by ``sitroom validate``; which names exist depends on
the scenario that uses it, but a syntax error is an error in any scenario.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc, Loc
from sim.engine.expr import ExprError, compile_expr
from sim.models.base import Expression


@functools.cache
def _expression_fields(model: type[BaseModel]) -> frozenset[str]:
    hints = typing.get_type_hints(model, include_extras=True)
    return frozenset(name for name in model.model_fields if _mentions(hints.get(name)))


def _mentions(tp: Any) -> bool:
    return bool(tp == Expression or any(_mentions(arg) for arg in typing.get_args(tp)))


def _strings(value: Any, loc: Loc, in_expr: bool) -> Iterator[tuple[Loc, str]]:
    """Expression strings in a model tree, with their locations."""
    if isinstance(value, BaseModel):
        fields = _expression_fields(type(value))
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), (*loc, name), name in fields)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*loc, i), in_expr)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key), in_expr)
    elif in_expr and isinstance(value, str):
        yield loc, value


def expression_syntax(model: BaseModel, doc: Doc) -> list[Problem]:
    """A problem for each expression in ``model`` that does not parse (any name is accepted)."""
    out = []
    for loc, source in _strings(model, (), False):
        try:
            compile_expr(source, lambda _name: True)
        except ExprError as exc:
            out.append(doc.problem(loc, exc.message, offset=exc.offset))
    return out
