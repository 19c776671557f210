"""The expression language for conditions and effect amounts.

Authors write short Python-like expressions over state names::

    tension >= 70 and not flags.un_resolution
    0.9 - tension / 200
    trust.self.target < 40 or self.domestic_support > 60

They are parsed with the standard library's :mod:`ast` parser (so syntax errors come with exact
offsets), checked against a whitelist of node types and known names, and compiled twice over.
First into a tree of closures, which checks every node and name on the way (that is where
authors' errors come from); then, only for an expression that passed, into one Python lambda
generated from the checked tree, in which every name is a subscript of the values mapping and
every function one of the five below. Nothing an author writes reaches Python's compiler except
through that generator, and the lambda runs with no builtins. The engine and the computer players
evaluate expressions millions of times: the generated lambda costs a fraction of a microsecond
(``benchmarks/bench_expr.py``), and the computer players inline the generated source into their
per-actor scoring code (``actors/codegen.py``).
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sim.engine.clamp import clamp
from sim.engine.exprhints import syntax_hint

Value = float | int | bool
Values = Mapping[str, Value]
Fn = Callable[[Values], Value]

#: Placeholders a move's expressions may use; bound to actor ids when the move is used.
PLACEHOLDERS = ("self", "target")

_BINOPS: dict[type[ast.operator], Callable[[Value, Value], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Value, Value], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


_FEWEST_DIGITS = -400
"""Digits below this round every number a state holds to 0 (floats end near 1.8e308)."""


def _round(x: Value, n: Value = 0) -> Value:
    # Held at -400: Python rounds a whole number to -n digits through 10**n, which for
    # round(round, -x) with x near 1e12 runs for minutes; every result is the same 0.
    return round(x, max(int(n), _FEWEST_DIGITS))


_FUNCS: dict[str, tuple[Callable[..., Value], int, int]] = {
    # name: (function, min args, max args)
    "min": (min, 2, 8),
    "max": (max, 2, 8),
    "abs": (abs, 1, 1),
    "clamp": (clamp, 3, 3),
    "round": (_round, 1, 2),
}
_PY_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
_PY_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
PY_GLOBALS: dict[str, object] = {
    "__builtins__": {},
    **{f"_f_{name}": fn for name, (fn, _lo, _hi) in _FUNCS.items()},
    "_bool": bool,
    "_consts": (math.inf, -math.inf, math.nan),
}
"""The only names generated code can reach: the language's functions, ``bool`` and the numbers
that have no literal (``inf`` and ``nan`` are not names where there are no builtins)."""


def py_literal(value: Value) -> str:
    """Python source for a number or flag in generated code, infinities and NaN included."""
    if isinstance(value, float) and not math.isfinite(value):
        return "_consts[2]" if math.isnan(value) else "_consts[0]" if value > 0 else "_consts[1]"
    return repr(value)


_CONSTANTS: dict[str, Value] = {"true": True, "false": False, "True": True, "False": False}


MAX_DEPTH = 300
"""Deepest nesting of an expression: each operator of a chain ``a + b + c`` and each ``not`` or
``-`` counts one level. Deeper ones are refused at load instead of exhausting the stack later."""
MAX_NODES = 2_000
"""Most parts (names, numbers, operators) in one expression."""
MAX_NUMBER = 10**15
"""Largest number written in an expression: state values are floats, exact to about 9e15."""


class ExprError(ValueError):
    """A problem in an expression, with its 0-based character offset inside the source."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class NonFinite(ArithmeticError):
    """An expression that passed every load-time check computed, while the engine ran, a value
    no state can hold: NaN, an infinity, or an integer too large for a float (a product of
    state values that overflows, a division by a tiny value, ``round()`` given NaN digits).

    The engine stops rather than record it (a NaN in a log never compares equal, so the log
    would not verify). ``where`` locates the expression for the authoring layer, which turns
    this into a message naming its file, line and column (``sim.authoring.runtime``):
    ``("effect", source, name)`` for an effect applied by ``source`` (``trigger:ID``,
    ``inject:ID``, ``move:ID``, ``agreement:ID``...),
    ``("chance" | "detection" | "requires", move id)``, ``("when", "trigger" | "end", id)`` for
    a condition.
    """

    def __init__(
        self, expression: str, where: tuple[str, ...], round_no: int, scenario_file: str | None
    ) -> None:
        super().__init__(expression, where, round_no, scenario_file)  # args: picklable
        self.expression = expression
        self.where = where
        self.round = round_no
        self.scenario_file = scenario_file

    def __str__(self) -> str:
        return (
            f"round {self.round}: '{self.expression}' ({' '.join(self.where)}) computed a value "
            "that is not a finite number"
        )


SCENARIO_FILE = "sitroom:scenario-file"
"""Key of :attr:`World.memo` under which the loader keeps the scenario file's path, so that a
:class:`NonFinite` can name it."""


@dataclass(frozen=True, slots=True)
class Expr:
    """A compiled expression: call :attr:`fn` with a mapping of flat state names to values."""

    source: str
    fn: Fn = field(repr=False, compare=False)
    names: frozenset[str] = field(compare=False)
    """The flat state names it reads (with placeholders still unresolved); used to re-check only
    the triggers whose inputs changed."""
    constant: Value | None = field(default=None, compare=False)
    """Its value when it reads no state name, so callers can precompute it."""
    py: str = field(default="", repr=False, compare=False)
    """Equivalent Python source over a mapping named ``v``, generated from the checked tree and
    evaluated in :data:`PY_GLOBALS`; code generators inline it (see :func:`py_function`)."""

    def __call__(self, values: Values) -> Value:
        return self.fn(values)


def canonical_name(dotted: str) -> str:
    """Relations are symmetric: ``trust.us.china`` and ``trust.china.us`` name one value."""
    parts = dotted.split(".")
    if len(parts) == 3 and parts[0] == "trust" and not set(parts[1:]) & set(PLACEHOLDERS):
        a, b = sorted(parts[1:])
        return f"trust.{a}.{b}"
    return dotted


def bind(name: str, bindings: Mapping[str, str]) -> str:
    """Replace placeholder segments (``self``, ``target``) of a dotted name with actor ids."""
    if not bindings:
        return canonical_name(name)
    parts = [bindings.get(p, p) for p in name.split(".")]
    return canonical_name(".".join(parts))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


dotted_name = _dotted
"""The dotted state name a node spells (``trust.us.china``), or None: public for the authoring
checks (:mod:`sim.authoring.ranges`)."""


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name that ``name`` is most likely a typo of, if one is close enough."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(name: str, known: Iterable[str], form: str = "; did you mean '{}'?") -> str:
    """The "did you mean" suffix of every unknown-name message: ``form`` filled with the
    :func:`closest` known name, or '' when none is close."""
    match = closest(name, known)
    return "" if match is None else form.format(match)


class _Compiler:
    def __init__(self, source: str, known: Callable[[str], bool], hint: Iterable[str]) -> None:
        self.source = source
        self.known = known
        self.hint = hint
        self.names: set[str] = set()
        self.constants: set[Fn] = set()
        """Compiled parts made of numbers alone."""
        # ast offsets count UTF-8 bytes on one line; expressions are one logical line.
        self._line_starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                self._line_starts.append(i + 1)

    def offset(self, node: ast.AST) -> int:
        line = getattr(node, "lineno", 1) - 1
        col_bytes = getattr(node, "col_offset", 0)
        start = self._line_starts[min(line, len(self._line_starts) - 1)]
        text = self.source[start:].encode()[:col_bytes].decode(errors="ignore")
        return start + len(text)

    def _check_constant(self, node: ast.AST, fn: Fn) -> None:
        """A part made of numbers alone must stay a number a state can hold (a product of big
        literals would overflow when added to a float at run time)."""
        value = fn({})
        if not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
            raise self.fail(node, f"the value is out of range (at most {MAX_NUMBER:.0e})")
        self.constants.add(fn)

    def fail(self, node: ast.AST, message: str) -> ExprError:
        return ExprError(message, self.offset(node))

    def compile(self, node: ast.expr) -> Fn:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool | int | float):
                if not isinstance(value, bool) and not abs(value) <= MAX_NUMBER:
                    raise self.fail(
                        node, f"number out of range (numbers here are at most {MAX_NUMBER:.0e})"
                    )
                literal: Fn = lambda _v: value  # noqa: E731
                self.constants.add(literal)
                return literal
            raise self.fail(node, f"only numbers and true/false are allowed, not {value!r}")
        if isinstance(node, ast.Name | ast.Attribute):
            dotted = _dotted(node)
            if dotted is None:
                raise self.fail(node, "only dotted state names are allowed here")
            if dotted in _CONSTANTS:
                const = _CONSTANTS[dotted]
                return lambda _v: const
            name = canonical_name(dotted)
            if not self.known(name):
                raise self.fail(node, f"unknown name '{dotted}'{suggest(dotted, self.hint)}")
            self.names.add(name)
            return operator.itemgetter(name)
        if isinstance(node, ast.BoolOp):
            parts = [self.compile(v) for v in node.values]
            if isinstance(node.op, ast.And):
                if len(parts) == 2:
                    a, b = parts
                    return lambda v: a(v) and b(v)
                return lambda v: all(p(v) for p in parts)
            if len(parts) == 2:
                a, b = parts
                return lambda v: a(v) or b(v)
            return lambda v: any(p(v) for p in parts)
        if isinstance(node, ast.UnaryOp):
            inner = self.compile(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda v: not inner(v)
            if isinstance(node.op, ast.USub):
                neg: Fn = lambda v: -inner(v)  # noqa: E731
                if inner in self.constants:
                    self.constants.add(neg)
                return neg
            if isinstance(node.op, ast.UAdd):
                return inner
            raise self.fail(node, "this operator is not allowed")
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise self.fail(node, "this operator is not allowed (use + - * / // %)")
            left, right = self.compile(node.left), self.compile(node.right)
            if op in (operator.truediv, operator.floordiv, operator.mod):
                # A zero denominator is an authoring slip, not a crash mid-exercise: it gives 0.
                binop: Fn = lambda v: (lambda d: op(left(v), d) if d else 0.0)(right(v))  # noqa: E731
            else:
                binop = lambda v: op(left(v), right(v))  # noqa: E731
            if left in self.constants and right in self.constants:
                self._check_constant(node, binop)
            return binop
        if isinstance(node, ast.Compare):
            if len(node.ops) == 1:
                cmp1 = _CMPOPS.get(type(node.ops[0]))
                if cmp1 is None:
                    raise self.fail(node, "only < <= > >= == != comparisons are allowed")
                left, right = self.compile(node.left), self.compile(node.comparators[0])
                return lambda v: cmp1(left(v), right(v))
            operands = [self.compile(node.left), *(self.compile(c) for c in node.comparators)]
            cmps = []
            for op_node in node.ops:
                cmp = _CMPOPS.get(type(op_node))
                if cmp is None:
                    raise self.fail(node, "only < <= > >= == != comparisons are allowed")
                cmps.append(cmp)

            def chain(v: Values) -> bool:
                prev = operands[0](v)
                for cmp_fn, nxt in zip(cmps, operands[1:], strict=True):
                    cur = nxt(v)
                    if not cmp_fn(prev, cur):
                        return False
                    prev = cur
                return True

            return chain
        if isinstance(node, ast.IfExp):
            test, body, orelse = (self.compile(n) for n in (node.test, node.body, node.orelse))
            return lambda v: body(v) if test(v) else orelse(v)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
                fname = _dotted(node.func) or "?"
                raise self.fail(
                    node,
                    f"unknown function '{fname}'{suggest(fname, _FUNCS)}"
                    f" (allowed: {', '.join(_FUNCS)})",
                )
            fn, lo, hi = _FUNCS[node.func.id]
            if node.keywords or not lo <= len(node.args) <= hi:
                raise self.fail(
                    node,
                    f"{node.func.id}() takes {lo}"
                    f"{'' if lo == hi else f' to {hi}'} positional arguments",
                )
            args = [self.compile(a) for a in node.args]
            # Fixed arities avoid a generator per call; these run in every look-ahead.
            if len(args) == 1:
                (a0,) = args
                return lambda v: fn(a0(v))
            if len(args) == 2:
                a0, a1 = args
                return lambda v: fn(a0(v), a1(v))
            if len(args) == 3:
                a0, a1, a2 = args
                return lambda v: fn(a0(v), a1(v), a2(v))
            return lambda v: fn(*[a(v) for a in args])
        raise self.fail(node, f"'{ast.unparse(node)}' is not allowed in an expression")


class _PySource:
    """Python source for a tree :class:`_Compiler` has already checked, with the same meaning as
    its closures, evaluation order included: ``and``/``or`` of three or more operands give a
    bool, as ``all``/``any`` do, and a division evaluates its divisor first and its dividend only
    when the divisor is not zero (the result is then 0.0)."""

    def __init__(self) -> None:
        self.divisions = 0

    def __call__(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, bool | int | float)
            return py_literal(node.value)
        if isinstance(node, ast.Name | ast.Attribute):
            dotted = _dotted(node)
            assert dotted is not None
            if dotted in _CONSTANTS:
                return repr(_CONSTANTS[dotted])
            return f"v[{canonical_name(dotted)!r}]"
        if isinstance(node, ast.BoolOp):
            op = " and " if isinstance(node.op, ast.And) else " or "
            joined = op.join(self(n) for n in node.values)
            return f"({joined})" if len(node.values) == 2 else f"_bool({joined})"
        if isinstance(node, ast.UnaryOp):
            inner = self(node.operand)
            if isinstance(node.op, ast.Not):
                return f"(not {inner})"
            return f"(-{inner})" if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            op = _PY_BINOPS[type(node.op)]
            if op in ("/", "//", "%"):
                divisor = node.right.value if isinstance(node.right, ast.Constant) else 0
                if not divisor or isinstance(divisor, bool):
                    # Divisor first, into a name unique in this expression, as the closure does.
                    name = f"_d{self.divisions}"
                    self.divisions += 1
                    right = self(node.right)
                    return f"({self(node.left)} {op} {name} if ({name} := {right}) else 0.0)"
                # A non-zero constant divisor needs no guard.
            return f"({self(node.left)} {op} {self(node.right)})"
        if isinstance(node, ast.Compare):
            parts = [self(node.left)]
            for op_node, operand in zip(node.ops, node.comparators, strict=True):
                parts += [_PY_CMPOPS[type(op_node)], self(operand)]
            return f"({' '.join(parts)})"
        if isinstance(node, ast.IfExp):
            return f"({self(node.body)} if {self(node.test)} else {self(node.orelse)})"
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return f"_f_{node.func.id}({', '.join(self(a) for a in node.args)})"
        raise AssertionError(f"unchecked node {ast.dump(node)}")


def _py(node: ast.expr) -> str:
    return _PySource()(node)


_PY_CACHE: dict[str, Fn] = {}


def py_function(py: str) -> Fn | None:
    """The lambda for generated source ``py`` (cached: equal sources give one function), or None
    when Python's compiler cannot take it (nesting deeper than its limits): the caller then keeps
    the closure tree, which has no such limit."""
    fn = _PY_CACHE.get(py)
    if fn is None:
        try:
            fn = eval(compile(f"lambda v: {py}", "<sitroom expr>", "eval"), PY_GLOBALS)
        except (SyntaxError, RecursionError, MemoryError):
            return None
        if len(_PY_CACHE) < 100_000:  # a bound on memory for long-lived processes
            _PY_CACHE[py] = fn
    return fn


def compile_expr(
    source: str | float | int | bool,
    known: Callable[[str], bool] | Iterable[str],
    hint: Iterable[str] | None = None,
) -> Expr:
    """Parse and compile ``source``; raise :class:`ExprError` on a syntax error or unknown name.

    ``known`` is a predicate (or a collection) of valid flat names; ``hint`` the names offered in
    "did you mean" suggestions.
    """
    if isinstance(source, bool | int | float):
        value: Value = source
        return Expr(str(source).lower(), lambda _v: value, frozenset(), value, py_literal(value))
    if isinstance(known, Callable):  # type: ignore[arg-type]
        pred: Callable[[str], bool] = known  # type: ignore[assignment]
        hint_names: Iterable[str] = hint or ()
    else:
        known_set = frozenset(known)  # type: ignore[arg-type]
        pred = known_set.__contains__
        hint_names = hint if hint is not None else known_set
    text = source.strip()
    lead = len(source) - len(source.lstrip())
    if not text:
        raise ExprError("empty expression", 0)
    try:
        tree = ast.parse(text, mode="eval")
    except (RecursionError, MemoryError):
        raise ExprError(f"nested too deeply (at most {MAX_DEPTH} levels)", lead) from None
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0)
        if exc.lineno and exc.lineno > 1:
            col += sum(len(line) + 1 for line in text.splitlines()[: exc.lineno - 1])
        fix = syntax_hint(text)
        if fix is not None:
            raise ExprError(f"syntax error: {fix[0]}", lead + fix[1]) from None
        raise ExprError(f"syntax error: {exc.msg}", lead + min(col, len(text))) from None
    _check_size(tree, lead)
    compiler = _Compiler(text, pred, hint_names)
    try:
        fn = compiler.compile(tree.body)
    except ExprError as exc:
        raise ExprError(exc.message, lead + exc.offset) from None
    names = frozenset(compiler.names)
    try:
        constant = fn({}) if not names else None
    except (ArithmeticError, ValueError):  # `(true and 1e15) * 1e15 * ...` escapes the checks
        raise ExprError(
            "the value cannot be computed: a part of it grows beyond what a number can hold "
            "(about 1.8e308); make the numbers smaller",
            lead,
        ) from None
    if (
        constant is not None
        and not isinstance(constant, bool)
        and not (isinstance(constant, int | float) and abs(constant) <= MAX_NUMBER)
    ):
        raise ExprError(f"the value is out of range (at most {MAX_NUMBER:.0e})", lead)
    if not names:
        assert constant is not None
        return Expr(text, fn, names, constant, py_literal(constant))
    py = _py(tree.body)
    return Expr(text, py_function(py) or fn, names, constant, py)


_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _check_size(tree: ast.AST, lead: int) -> None:
    """Refuse an expression too deep or too large to evaluate safely (iteratively: a recursive
    walk would itself overflow the stack on the inputs it must refuse)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _LEAVES):
            continue
        count += 1
        if count > MAX_NODES:
            raise ExprError(f"too long (at most {MAX_NODES:,} names, numbers and operators)", lead)
        if depth > MAX_DEPTH:
            raise ExprError(
                f"nested more than {MAX_DEPTH} levels deep (each operator of a chain such as "
                "a + b + c and each 'not' counts one level)",
                lead + getattr(node, "col_offset", 0),
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def rebind(expr: Expr, bindings: Mapping[str, str], known: Callable[[str], bool]) -> Expr:
    """Compile ``expr`` again with placeholders replaced by actor ids (done once per actor).

    Raises :class:`ExprError` when a bound name does not exist (e.g. ``target.x`` with no target).
    """
    if not any(seg in bindings for name in expr.names for seg in name.split(".")):
        return expr
    tree = ast.parse(expr.source, mode="eval")
    _BindNames(bindings).visit(tree)
    compiler = _Compiler(expr.source, known, ())
    fn = compiler.compile(tree.body)
    py = _py(tree.body)
    return Expr(expr.source, py_function(py) or fn, frozenset(compiler.names), None, py)


class _BindNames(ast.NodeTransformer):
    """Rewrites ``self.x`` / ``trust.self.target`` into concrete dotted names before compiling."""

    def __init__(self, bindings: Mapping[str, str]) -> None:
        self.bindings = bindings

    def _rewrite(self, node: ast.expr) -> ast.expr:
        dotted = _dotted(node)
        if dotted is None:
            return node
        bound = bind(dotted, self.bindings)
        if bound == dotted:
            return node
        parts = bound.split(".")
        new: ast.expr = ast.Name(id=parts[0], ctx=ast.Load())
        for part in parts[1:]:
            new = ast.Attribute(value=new, attr=part, ctx=ast.Load())
        return ast.copy_location(new, node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self._rewrite(node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        return self._rewrite(node)
