"""Pydantic validation errors rewritten for instructors and placed at file:line:col.

Pydantic's ``loc`` mixes document keys with union branch labels (``'list[constrained-str]'``) and
its messages speak Python ("Input should be a valid integer"). We walk each ``loc`` through the
loaded data to find the YAML location, fold the branches of one union into one message, and say
what was expected and what was found in the file's own terms.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc, Loc
from sim.engine.expr import closest, suggest

_EXPECT = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "none_required": "nothing",
}
_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": "a valid id (lower-case letters, digits and underscores, starting with a "
    "letter)",
    r"^[a-z][a-z0-9_-]*$": "a valid id (lower-case letters, digits, '-' and '_', starting with a "
    "letter)",
    r"^[A-Z][A-Z0-9]*$": "a key of capital letters and digits, starting with a letter",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "{v} is below the minimum of {b}"),
    "less_than_equal": ("le", "{v} is above the maximum of {b}"),
    "greater_than": ("gt", "must be greater than {b}, got {v}"),
    "less_than": ("lt", "must be less than {b}, got {v}"),
}


@dataclass(frozen=True)
class _Placed:
    """One pydantic error resolved to a place in the document."""

    err: ErrorDetails
    loc: Loc
    """Document location of the offending value (or of the parent, for a missing key)."""
    at_key: bool
    branch: tuple[Loc, int] | None
    """For an error inside a union branch: the union's location and how deep past it we got."""


def problems_from(exc: ValidationError, doc: Doc, model: type[BaseModel]) -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem` in ``doc``, sorted by position."""
    placed = [_place(err, doc.data) for err in exc.errors(include_url=False)]
    placed = [p for p in placed if not any(p.loc[: len(q)] == q for q in doc.poisoned)]
    placed = _drop_misspelt_missing(placed, model)
    out: list[Problem] = []
    for group in _fold_unions(placed):
        first = group[0]
        message = _message(group, doc, model)
        out.append(doc.problem(first.loc, message, at="key" if first.at_key else "value"))
    return sorted(dict.fromkeys(out), key=lambda p: (p.line, p.col))


def _drop_misspelt_missing(placed: list[_Placed], model: type[BaseModel]) -> list[_Placed]:
    """'missing key escalation' says nothing new next to 'unknown key escalaton; did you mean
    escalation?', so keep only the latter."""
    misspelt: set[tuple[Loc, str]] = set()
    for p in placed:
        if p.err["type"] == "extra_forbidden" and p.loc:
            fields = _fields_at(model, p.loc[:-1])
            meant = closest(str(p.loc[-1]), fields)
            if meant is not None:
                misspelt.add((p.loc[:-1], meant))
    return [
        p
        for p in placed
        if not (p.err["type"] == "missing" and (p.loc, str(p.err["loc"][-1])) in misspelt)
    ]


def _place(err: ErrorDetails, data: Any) -> _Placed:
    loc = err["loc"]
    if err["type"] == "missing":
        loc = loc[:-1]  # point at the mapping that lacks the key
    cur, at_key = data, False
    out: list[str | int] = []
    branch_at: Loc | None = None
    depth = 0
    for el in loc:
        if el == "[key]":
            at_key = True
            break
        in_map = isinstance(cur, Mapping) and el in cur
        if in_map or (isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur)):
            cur = cur[el]
        else:
            # Not in the data: a union branch label such as 'list[constrained-str]'.
            if branch_at is None:
                branch_at = tuple(out)
            continue
        out.append(el)
        if branch_at is not None:
            depth += 1
    if err["type"] == "missing" and branch_at is not None and depth == 0:
        depth = 1  # a missing key inside a branch's mapping went deeper than a type mismatch
    doc_loc = tuple(out)
    if err["type"] == "extra_forbidden" or (at_key and doc_loc):
        at_key = True
    return _Placed(err, doc_loc, at_key, None if branch_at is None else (branch_at, depth))


def _fold_unions(placed: list[_Placed]) -> Iterator[list[_Placed]]:
    """Yield groups of errors that read as one problem.

    A value that fits no branch of a union gets one error per branch. If some branch got further
    into the value (the list was a list, but an item was wrong), only its errors matter; otherwise
    the branches' expectations are joined: "expected a list or 'public'".
    """
    deepest: dict[Loc, int] = {}
    for p in placed:
        if p.branch is not None:
            at, depth = p.branch
            deepest[at] = max(deepest.get(at, 0), depth)
    groups: dict[tuple[Loc, bool, bool], list[_Placed]] = {}
    for p in placed:
        if p.branch is not None:
            at, depth = p.branch
            if depth < deepest[at]:
                continue
            if depth == 0:
                groups.setdefault((p.loc, p.at_key, True), []).append(p)
                continue
        yield [p]
    yield from groups.values()


def _message(group: list[_Placed], doc: Doc, model: type[BaseModel]) -> str:
    if len(group) > 1:
        wants = dict.fromkeys(_expectation(p.err) for p in group)
        parts = list(wants)
        joined = ", ".join(parts[:-1]) + f" or {parts[-1]}" if len(parts) > 1 else parts[0]
        return f"expected {joined}, got {_show(group[0].err['input'])}"
    return _single(group[0], doc, model)


def _expectation(err: ErrorDetails) -> str:
    if err["type"] == "literal_error":
        return _literal_choices(err)
    return _EXPECT.get(err["type"], _lower(err["msg"]))


def _literal_choices(err: ErrorDetails) -> str:
    expected = str((err.get("ctx") or {}).get("expected", ""))
    return expected or _lower(err["msg"])


def _single(p: _Placed, doc: Doc, model: type[BaseModel]) -> str:
    err, ctx = p.err, p.err.get("ctx") or {}
    kind, value = err["type"], err["input"]
    if kind == "missing":
        return f"missing required key '{err['loc'][-1]}'"
    if kind == "extra_forbidden":
        key = str(p.loc[-1]) if p.loc else "?"
        return _unknown_key(key, _fields_at(model, p.loc[:-1]))
    if kind == "string_type" and isinstance(value, bool | int | float):
        return f'expected text, got {_show(value)} (write it in quotes: "{_show(value)}")'
    if kind in _EXPECT:
        return f"expected {_EXPECT[kind]}, got {_show(value)}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", _literal_choices(err))
        hint = suggest(str(value), choices) if isinstance(value, str) else ""
        return f"expected {_literal_choices(err)}, got {_show(value)}{hint}"
    if kind == "string_pattern_mismatch":
        return _pattern(str(value), str(ctx.get("pattern", "")), p.at_key)
    if kind in _BOUNDS:
        name, text = _BOUNDS[kind]
        return text.format(v=_num(value), b=_num(ctx.get(name)))
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}, got {ctx.get('actual_length', 0)}"
    if kind == "too_long":
        return f"has {ctx.get('actual_length')} items; at most {ctx.get('max_length')} allowed"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind in ("value_error", "assertion_error"):
        return re.sub(r"^(Value|Assertion) error, ", "", err["msg"])
    return _lower(err["msg"])


def _unknown_key(key: str, fields: list[str]) -> str:
    hint = suggest(key, fields)
    if hint or not fields:
        return f"unknown key '{key}'{hint}"
    if len(fields) <= 12:
        return f"unknown key '{key}' (expected one of: {', '.join(fields)})"
    return f"unknown key '{key}'"


def _pattern(value: str, pattern: str, is_key: bool) -> str:
    what = _PATTERNS.get(pattern, f"text matching {pattern}")
    hint = ""
    fixed = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_")
    if fixed and fixed != value and re.fullmatch(pattern, fixed):
        hint = f"; did you mean '{fixed}'?"
    return f"{'key ' if is_key else ''}'{value}' is not {what}{hint}"


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model(s) that validate the mapping at ``loc``."""
    types_here: list[Any] = [model]
    for el in loc:
        types_here = [t for tp in types_here for t in _step(tp, el)]
    names: dict[str, None] = {}
    for tp in types_here:
        for m in _models(tp):
            names.update(dict.fromkeys(m.model_fields))
    return list(names)


def _models(tp: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _models(arg)]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return []


def _step(tp: Any, el: str | int) -> list[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _step(args[0], el)
    if origin in (typing.Union, types.UnionType):
        return [t for arg in args for t in _step(arg, el)]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(el))
        return [field.annotation] if field is not None else []
    if origin is list and isinstance(el, int):
        return [args[0]]
    if origin is dict:
        return [args[1]]
    return []


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"'{short}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lower(msg: str) -> str:
    return msg[:1].lower() + msg[1:]
