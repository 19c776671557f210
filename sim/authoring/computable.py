"""A move's ``requires`` that Python cannot compute for some state within the declared ranges.

Few operations of the expression language raise instead of giving a number: ``round(x, n)`` when
its digits are NaN or an infinity (``int()`` of them fails) or when it rounds a number near the
largest float past it, and arithmetic mixing a whole number too large for a float with a decimal
one (``10**400 + 0.5``). Every other slip computes something (a zero divisor gives 0, an overflow
an infinity, which compares false). The engine names a chance, effect or condition that fails
while it runs (:class:`~sim.engine.expr.NonFinite`), but a ``requires`` is read by the legality
checks and the computer players' generated code, which stop with a bare ``ValueError``; so a
``requires`` that *can* fail is refused when the scenario loads.

The check is the interval evaluation of :mod:`sim.authoring.ranges` plus, per part, whether it may
be a whole number (an int literal, ``round``, a flag, their arithmetic) or a decimal one, and
whether it may be NaN or infinite. It is sound: a ``requires`` it passes never raises on a state
within the declared ranges. It may refuse one that could only fail on values the ranges allow but
play never reaches; the message says what to write instead.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sim.authoring.deadcontent import lookup_for, ranges_of
from sim.authoring.problems import Problem
from sim.authoring.ranges import Abstract, Lookup, Num, abstract
from sim.authoring.yamldoc import Doc, Loc
from sim.engine.expr import dotted_name
from sim.engine.world import World
from sim.models import MoveType

FLOAT_MAX = sys.float_info.max


@dataclass(frozen=True, slots=True)
class _Part:
    """What the checker knows of one part of an expression."""

    whole: bool
    """It may be a Python int (or bool)."""
    real: bool
    """It may be a float."""
    size: float
    """A bound on its magnitude (infinite when unknown)."""
    odd: bool
    """It may be NaN or an infinity (a float that overflowed, or inf - inf)."""

    @property
    def big(self) -> bool:
        """It may be a whole number beyond what a float holds."""
        return self.whole and not self.size <= FLOAT_MAX


_BOOL = _Part(True, False, 1.0, False)
_FACTORS = 21
"""Fewest factors of a product of whole numbers beyond a float (about 1.8e308): the build caps
numbers at 1e15 and the round counter at 10,001, and sums of 2,000 parts grow it no faster."""
_ROUND_CALL = re.compile(r"\bround\s*\(")


@dataclass(frozen=True, slots=True)
class Failure:
    """Where and why an expression may raise: ``offset`` into its stripped source."""

    offset: int
    why: str
    fix: str


class _Fails(Exception):
    def __init__(self, node: ast.AST, why: str, fix: str) -> None:
        super().__init__(why)
        self.node, self.why, self.fix = node, why, fix


def failure(source: str, lookup: Lookup) -> Failure | None:
    """Why ``source`` (an expression that compiled) may fail to compute on the declared ranges
    ``lookup`` gives, or None when it never does."""
    text = source.strip()
    if text.count("*") < _FACTORS - 1 and not _ROUND_CALL.search(text):
        return None  # the common case, decided without parsing
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        return None  # the build reported it
    seen: dict[int, Abstract] = {}
    abstract(tree.body, lookup, seen)
    try:
        _Checker(seen).part(tree.body)
    except _Fails as exc:
        return Failure(_offset(text, exc.node), exc.why, exc.fix)
    return None


def _whole_leaf(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int)  # bools included
    if isinstance(node, ast.Name | ast.Attribute):
        name = dotted_name(node) or ""
        return name == "round" or name.startswith("flags.")
    return False


def _offset(text: str, node: ast.AST) -> int:
    """Character offset of ``node`` in ``text`` (ast counts UTF-8 bytes on each line)."""
    lines = text.split("\n")
    line = min(getattr(node, "lineno", 1), len(lines)) - 1
    start = sum(len(x) + 1 for x in lines[:line])
    col = lines[line].encode()[: getattr(node, "col_offset", 0)].decode(errors="ignore")
    return start + len(col)


def _size(value: Abstract | None) -> float:
    if isinstance(value, Num):
        size = max(abs(value.lo), abs(value.hi))
        return size if not math.isnan(size) else math.inf
    return 1.0 if value is not None else math.inf


def _union(parts: Iterator[_Part] | list[_Part]) -> _Part:
    ps = list(parts)
    return _Part(
        any(p.whole for p in ps),
        any(p.real for p in ps),
        max(p.size for p in ps),
        any(p.odd for p in ps),
    )


_MIXED = (
    "this whole-number arithmetic can exceed what a decimal number holds (about 1.8e308), "
    "and combining it with a decimal number then fails"
)
_MIXED_FIX = "make the numbers smaller, or bound the product with min() or clamp()"


class _Checker:
    def __init__(self, seen: dict[int, Abstract]) -> None:
        self.seen = seen

    def part(self, node: ast.expr) -> _Part:
        size = _size(self.seen.get(id(node)))
        if isinstance(node, ast.Constant):
            whole = isinstance(node.value, int)
            return _Part(whole, not whole, size, False)
        if isinstance(node, ast.Name | ast.Attribute):
            # State values are finite floats, but for the round counter and the flags.
            if _whole_leaf(node) or _is_truth(node):
                return _Part(True, False, size, False)
            return _Part(False, True, size, False)
        if isinstance(node, ast.BoolOp):
            parts = [self.part(v) for v in node.values]
            return _union(parts) if len(parts) == 2 else _BOOL  # a and b is a or b; 3+ a bool
        if isinstance(node, ast.UnaryOp):
            inner = self.part(node.operand)
            return _BOOL if isinstance(node.op, ast.Not) else inner
        if isinstance(node, ast.Compare):
            for n in (node.left, *node.comparators):
                self.part(n)  # comparisons of any numbers are exact; their operands may fail
            return _BOOL
        if isinstance(node, ast.IfExp):
            self.part(node.test)
            return _union([self.part(node.body), self.part(node.orelse)])
        if isinstance(node, ast.BinOp):
            return self.binop(node, size)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [self.part(a) for a in node.args]
            if node.func.id != "round":  # min, max, abs, clamp: one of their arguments
                return _union(args)
            return self.round(node, args, size)
        return _Part(True, True, math.inf, True)  # the build refuses anything else

    def round(self, node: ast.Call, args: list[_Part], size: float) -> _Part:
        x = args[0]
        if len(args) == 2:
            digits = args[1]
            if digits.real and digits.odd:
                raise _Fails(
                    node.args[1],
                    "the digits of round() can be NaN or infinite, and round() then fails",
                    "write the digits as a whole number, e.g. round(x, 1)",
                )
            low = self.seen.get(id(node.args[1]))
            lowest = max(low.lo if isinstance(low, Num) else -math.inf, -digits.size)
            negative = not lowest >= 0
            if negative and x.real and not x.size <= FLOAT_MAX / 2:
                # round(1.7e308, -308) is 2e308, which Python refuses (an infinity is kept).
                raise _Fails(
                    node,
                    "this number can come near 1.8e308, where round() to tens or more "
                    "(negative digits) fails",
                    "round to 0 or more digits, or bound the number with min() or clamp() first",
                )
        # round(int, -n) can round up, to at most twice the number.
        return _Part(x.whole, x.real, max(size, 2 * x.size) if x.whole else size, x.odd)

    def binop(self, node: ast.BinOp, size: float) -> _Part:
        a, b = self.part(node.left), self.part(node.right)
        op = node.op
        if isinstance(op, ast.Div):
            # int / int is exact but gives a float: a dividend or divisor too big fails.
            if a.big or b.big:
                raise _Fails(node, _MIXED, _MIXED_FIX)
            return _Part(False, True, size, a.odd or b.odd or not size <= FLOAT_MAX)
        if (a.big and b.real) or (b.big and a.real):
            raise _Fails(node, _MIXED, _MIXED_FIX)
        whole = a.whole and b.whole
        real = a.real or b.real
        if isinstance(op, ast.Mod):
            # |a % b| < |b|, and a zero divisor gives 0.0 (a float, even of whole numbers).
            size = min(size, b.size)
            real = real or b.whole
        elif isinstance(op, ast.FloorDiv):
            # A whole divisor is 0 (giving 0.0) or at least 1 in size.
            if not b.real:
                size = min(size, a.size + 1)
            real = real or b.whole
        odd = a.odd or b.odd or (real and not size <= FLOAT_MAX)
        return _Part(whole, real, size, odd)


def _is_truth(node: ast.expr) -> bool:
    return (dotted_name(node) or "") in ("true", "false", "True", "False")


def requires_problems(world: World, moves: Iterable[tuple[Doc, Loc, MoveType]]) -> list[Problem]:
    """An error at each move's ``requires`` that may fail to compute in ``world``: ``moves``
    are the moves in play, each with the document and path of its ``requires``."""
    lookup = lookup_for(world)
    out = []
    for doc, loc, mt in moves:
        if mt.requires is None:
            continue
        found = failure(mt.requires, lookup)
        if found is None:
            continue
        out.append(
            doc.problem(
                loc,
                f"the requires of move '{mt.id}' cannot be computed on every state the "
                f"declared ranges allow{ranges_of(mt.requires, lookup)}, and the run would "
                f"stop there: {found.why}; {found.fix}",
                offset=found.offset,
            )
        )
    return out
