"""What an expression can be, given the declared ranges of the names it reads.

An interval evaluation of the checked expression tree: numbers become ``[lo, hi]``, conditions
the set of truth values they can take. It is *sound* for "never": when it says a condition can
never be true, no state within the declared ranges makes it true. It may say "can be true" for a
condition that is impossible for reasons it does not follow (``x > 5 and x < 3`` reads ``x``
twice and is judged part by part), which only means a warning is missed, never a false alarm.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

from sim.engine.expr import dotted_name

INF = math.inf


@dataclass(frozen=True)
class Num:
    """A number somewhere in ``lo..hi``."""

    lo: float
    hi: float


@dataclass(frozen=True)
class Truth:
    """A condition that may be true, false, or both."""

    can_true: bool
    can_false: bool


Abstract = Num | Truth
Lookup = Callable[[str], Abstract]
"""The abstract value of a dotted state name (its declared range, or both truths for a flag)."""

ANY = Num(-INF, INF)
EITHER = Truth(True, True)


def _num(v: Abstract) -> Num:
    if isinstance(v, Num):
        return v
    return Num(0.0 if v.can_false else 1.0, 1.0 if v.can_true else 0.0)


def _truth(v: Abstract) -> Truth:
    if isinstance(v, Truth):
        return v
    return Truth(not (v.lo == v.hi == 0), v.lo <= 0 <= v.hi)


def _hull(*xs: float) -> Num:
    if any(math.isnan(x) for x in xs):
        return ANY
    return Num(min(xs), max(xs))


def _compare(op: ast.cmpop, a: Num, b: Num) -> Truth:
    if isinstance(op, ast.Lt):
        return Truth(a.lo < b.hi, a.hi >= b.lo)
    if isinstance(op, ast.LtE):
        return Truth(a.lo <= b.hi, a.hi > b.lo)
    if isinstance(op, ast.Gt):
        return Truth(a.hi > b.lo, a.lo <= b.hi)
    if isinstance(op, ast.GtE):
        return Truth(a.hi >= b.lo, a.lo < b.hi)
    overlap = a.lo <= b.hi and b.lo <= a.hi
    same_point = a.lo == a.hi == b.lo == b.hi
    if isinstance(op, ast.Eq):
        return Truth(overlap, not same_point)
    if isinstance(op, ast.NotEq):
        return Truth(not same_point, overlap)
    return EITHER


def abstract(node: ast.expr, lookup: Lookup, seen: dict[int, Abstract] | None = None) -> Abstract:
    """The abstract value of a checked expression tree; with ``seen``, that of each of its parts
    too, by ``id()`` of its node (one walk for checks that need them all,
    :mod:`sim.authoring.computable`)."""
    value = _abstract(node, lookup, seen)
    if seen is not None:
        seen[id(node)] = value
    return value


def _abstract(node: ast.expr, lookup: Lookup, seen: dict[int, Abstract] | None) -> Abstract:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return Truth(node.value, not node.value)
        if isinstance(node.value, int | float):
            return Num(float(node.value), float(node.value))
        return ANY
    if isinstance(node, ast.Name | ast.Attribute):
        dotted = dotted_name(node)
        if dotted in ("true", "True"):
            return Truth(True, False)
        if dotted in ("false", "False"):
            return Truth(False, True)
        return ANY if dotted is None else lookup(dotted)
    if isinstance(node, ast.BoolOp):
        parts = [_truth(abstract(v, lookup, seen)) for v in node.values]
        if isinstance(node.op, ast.And):
            return Truth(all(p.can_true for p in parts), any(p.can_false for p in parts))
        return Truth(any(p.can_true for p in parts), all(p.can_false for p in parts))
    if isinstance(node, ast.UnaryOp):
        inner = abstract(node.operand, lookup, seen)
        if isinstance(node.op, ast.Not):
            t = _truth(inner)
            return Truth(t.can_false, t.can_true)
        n = _num(inner)
        return Num(-n.hi, -n.lo) if isinstance(node.op, ast.USub) else n
    if isinstance(node, ast.BinOp):
        a, b = _num(abstract(node.left, lookup, seen)), _num(abstract(node.right, lookup, seen))
        if isinstance(node.op, ast.Add):
            return _hull(a.lo + b.lo, a.hi + b.hi)
        if isinstance(node.op, ast.Sub):
            return _hull(a.lo - b.hi, a.hi - b.lo)
        if isinstance(node.op, ast.Mult):
            return _hull(a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
        if isinstance(node.op, ast.Div) and (b.lo > 0 or b.hi < 0):
            return _hull(a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi)
        return ANY
    if isinstance(node, ast.Compare):
        values = [_num(abstract(n, lookup, seen)) for n in (node.left, *node.comparators)]
        parts = [_compare(op, values[i], values[i + 1]) for i, op in enumerate(node.ops)]
        return Truth(all(p.can_true for p in parts), any(p.can_false for p in parts))
    if isinstance(node, ast.IfExp):
        test = _truth(abstract(node.test, lookup, seen))
        body, orelse = abstract(node.body, lookup, seen), abstract(node.orelse, lookup, seen)
        if not test.can_false:
            return body
        if not test.can_true:
            return orelse
        if isinstance(body, Truth) and isinstance(orelse, Truth):
            return Truth(body.can_true or orelse.can_true, body.can_false or orelse.can_false)
        x, y = _num(body), _num(orelse)
        return Num(min(x.lo, y.lo), max(x.hi, y.hi))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_num(abstract(a, lookup, seen)) for a in node.args]
        name = node.func.id
        if name == "min" and args:
            return Num(min(a.lo for a in args), min(a.hi for a in args))
        if name == "max" and args:
            return Num(max(a.lo for a in args), max(a.hi for a in args))
        if name == "abs" and len(args) == 1:
            (a,) = args
            lo = 0.0 if a.lo <= 0 <= a.hi else min(abs(a.lo), abs(a.hi))
            return Num(lo, max(abs(a.lo), abs(a.hi)))
        if name == "clamp" and len(args) == 3:
            x, lo_, hi_ = args
            return Num(min(max(x.lo, lo_.lo), hi_.lo), min(max(x.hi, lo_.hi), hi_.hi))
        if name == "round" and args:
            return Num(args[0].lo - 0.5, args[0].hi + 0.5)
    return ANY


def evaluate(source: str, lookup: Lookup) -> Abstract:
    """The abstract value of an expression's source (one that already compiled)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return ANY
    return abstract(tree.body, lookup)


def names_in(source: str) -> list[str]:
    """The dotted names an expression reads, in order of first use (not the functions it
    calls: ``round(x)`` reads ``x``, not the round counter)."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return []
    out: dict[str, None] = {}
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and id(node) not in functions:
            dotted = dotted_name(node)
            if dotted is not None and dotted not in ("true", "false", "True", "False"):
                if isinstance(node, ast.Name) and any(d.startswith(dotted + ".") for d in out):
                    continue
                out.setdefault(dotted, None)
    # Drop prefixes of longer names (ast.walk visits `a.b` before its `a`).
    return [n for n in out if not any(o != n and o.startswith(n + ".") for o in out)]
