"""The profile player's scoring, unrolled into one generated Python function per world and actor.

:func:`scoring_source` writes :meth:`actors.profile.ProfilePolicy.score` out for every candidate,
with the checked expressions inlined (``Expr.py``); :func:`compile_scoring` compiles it. The
player decides with its ``planned`` form, which also leaves out what is not legal or already
taken and tempers repeats and agreements as it scores; :func:`coefficients_source` writes the
interest weights and their gradient out the same way. Generated functions must give the
references' floats exactly (tests/actors/test_codegen.py).
"""

from __future__ import annotations

import ast
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from actors.candidates import Candidate, Fx
from sim.authoring import worldcache
from sim.engine.clamp import clamp, clamp_source
from sim.engine.expr import PY_GLOBALS, Expr, Value, py_literal

ScoreAll = Callable[
    [Mapping[str, Value], Mapping[str, Value], Sequence[float], Sequence[Candidate]],
    tuple[list[tuple[float, float, Candidate]], list[float]],
]
"""``(truth, believed, coefficients, candidates)`` -> ``(score, utility, candidate)`` of every
candidate whose requirement holds on the truth, in candidate order, and the scores alone (whose
``max`` is the best score without a key function per option)."""


ScorePlanned = Callable[
    [Mapping[str, Value], Sequence[float], Sequence[Candidate], Sequence[Any], Callable[..., None]],
    tuple[list[tuple[float, float, Candidate]], list[float]],
]
"""``(believed, coefficients, candidates, plan, temper)`` -> what the player chooses from: the
scores of the candidates its plan keeps whose requirement holds on the beliefs, tempered (see
:func:`scoring_source`'s ``planned``), and the scores alone."""


def _compared(bound: float) -> str:
    """Source of ``bound`` for comparing a number with: an integer as the equal float, since
    Python compares ints and floats exactly (the same truth for every operand) and a float
    against a float literal takes the interpreter's fast path (a generic comparison otherwise:
    ~35% of an effect term's time)."""
    if type(bound) is int and float(bound) == bound:
        return py_literal(float(bound))
    return py_literal(bound)


def _clamp_source(x: str, lo: float, hi: float) -> str:
    """:func:`sim.engine.clamp.clamp_source` of ``x`` and two bounds: the same value (the bounds
    themselves, ints staying ints, below and above), compared as :func:`_compared` writes them."""
    low, high = py_literal(lo), py_literal(hi)
    return f"({low} if {x} < {_compared(lo)} else {high} if {x} > {_compared(hi)} else {x})"


_ORDERS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


def _integer(node: ast.expr) -> int | None:
    """The integer a literal (or a negated literal) is, when it is one (not a flag)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _integer(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


class _FloatLiterals(ast.NodeTransformer):
    """Integer literals compared with a local holding a float (as the world's initial value
    is) written as the equal float: Python compares ints and floats exactly, so every
    comparison has the same truth, and float-float ones take the interpreter's fast path."""

    def __init__(self, floats: frozenset[str]) -> None:
        self.floats = floats
        self.changed = False

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if not all(isinstance(op, _ORDERS) for op in node.ops):
            return node
        operands = [node.left, *node.comparators]
        made = list(operands)
        for i, operand in enumerate(operands):
            n = _integer(operand)
            near = operands[max(i - 1, 0) : i] + operands[i + 1 : i + 2]
            if (
                n is not None
                and float(n) == n
                and any(isinstance(o, ast.Name) and o.id in self.floats for o in near)
            ):
                made[i] = ast.Constant(float(n))
                self.changed = True
        node.left, node.comparators = made[0], made[1:]
        return node


class _Reads:
    """The state reads of the generated function, each made once into a local at its top (a
    subscript costs several times a local's load): ``t`` is the truth, ``v`` the believed state.
    Locals are numbered in order of first use. ``floats``: the state names whose values are
    floats (their comparisons with integer literals are written with float ones)."""

    def __init__(self, floats: frozenset[str] = frozenset()) -> None:
        self.locals: dict[tuple[str, str], str] = {}
        self.floats = floats

    def __call__(self, mapping: str, name: str) -> str:
        """The local holding ``mapping[name]``."""
        key = (mapping, name)
        local = self.locals.get(key)
        if local is None:
            local = self.locals[key] = f"{mapping}{len(self.locals)}"
        return local

    def inline(self, expr: Expr, mapping: str) -> str:
        """``expr.py``, which subscripts ``v`` with each of ``expr.names``, reading the locals of
        ``mapping`` instead."""
        py = expr.py
        held = []
        for name in sorted(expr.names, key=lambda n: py.index(f"v[{n!r}]")):
            local = self(mapping, name)
            py = py.replace(f"v[{name!r}]", local)
            if name in self.floats:
                held.append(local)
        if not held:
            return py
        try:
            tree = ast.parse(py, mode="eval")
        except (SyntaxError, RecursionError, MemoryError):
            return py  # (compile_scoring meets it too, and falls back)
        floated = _FloatLiterals(frozenset(held))
        tree = floated.visit(tree)
        # (unchanged, the text stays as it was: the unparsed one drops redundant parentheses)
        return f"({ast.unparse(tree)})" if floated.changed else py

    def loads(self) -> list[str]:
        """The lines that read every local, for the top of the function."""
        return [f"    {local} = {m}[{name!r}]" for (m, name), local in self.locals.items()]


def scoring_source(
    candidates: Sequence[Candidate],
    names: Sequence[str],
    risk_tolerance: float,
    *,
    planned: bool = False,
    floats: frozenset[str] = frozenset(),
) -> str:
    """Python source of one function that scores every candidate,
    :meth:`actors.profile.ProfilePolicy.score` unrolled: the same arithmetic in the same order
    (so the same floats and the same choices), without a call or a loop per candidate.
    Everything in it comes from checked models: state names as string literals, numbers as
    :func:`sim.engine.expr.py_literal`, expressions as :attr:`Expr.py`.

    ``planned``: the function the player decides with, ``score_planned(v, K, C, A, T)``, which
    tests the requirements on ``v`` too (a seat plays what it believes possible) and reads a
    plan ``A`` per candidate: False leaves it out (not legal now, or already taken), None
    scores it as it is, anything else is a tempering ``(k, cost, forbids, word)``: a repeat's
    (``forbids`` false) is worked out in place as ``T`` would, the others are handed with their
    score to ``T(s, u, c, plan, add, top)`` (the player's repeat and agreement tempering, for
    the few candidates that have any): the filters and tempering of the reference, without a
    pass over the options for each.

    ``floats``: the state names holding floats, whose comparisons with integer literals are
    written with the equal floats (see :class:`_FloatLiterals`)."""
    slot = {n: i for i, n in enumerate(names)}
    truth = "v" if planned else "t"
    reads = _Reads(floats)
    lines = [
        "    out = []",
        "    add = out.append",
        "    scores = []",
        "    top = scores.append",
    ]
    if names:
        lines.append(f"    {''.join(f'k{i}, ' for i in range(len(names)))}= K")
    if planned and candidates:
        # The plan unpacked into locals at once: a subscript per candidate costs three loads.
        lines.append(f"    {''.join(f'a{i}, ' for i in range(len(candidates)))}= A")
    spread_value = 1 - risk_tolerance
    spread = py_literal(spread_value)

    # Terms (an effect's weighted change) met in more than one body are worked out at their
    # first use in a call and kept in a local ``e<j>`` (None until then): the same operations on
    # the same inputs give the same float, evaluated where the unshared code would first be.
    common: dict[str, str] = {}
    met: list[str] = []

    # The helpers ask for locals in the order their lines read them: numbered top to bottom.
    def effect(fx: Fx, acc: str, pad: str) -> list[str]:
        name, is_add, const, eff, lo, hi, is_flag = fx
        k = f"k{slot[name]}"
        if is_flag:
            amount = (
                py_literal(const) if const is not None else f"({reads.inline(eff.amount, 'v')})"
            )
            prep = []
            term = f"{k} * (_float(_bool({amount})) - _float({reads('v', name)}))"
        else:
            old = reads("v", name)  # a local: read in place (no copy into another)
            amount = (
                py_literal(const) if const is not None else f"({reads.inline(eff.amount, 'v')})"
            )
            new = (
                f"{old} + {amount}"
                if is_add
                else (py_literal(float(const)) if const is not None else f"_float({amount})")
            )
            prep = [f"n = {new}"]
            term = f"{k} * ({_clamp_source('n', lo, hi)} - {old})"
        text = "\n".join([*prep, term])
        met.append(text)
        local = common.get(text)
        if local is None:
            return [
                f"{pad}if {k}:",
                *(f"{pad}    {line}" for line in prep),
                f"{pad}    {acc} += {term}",
            ]
        return [
            f"{pad}if {k}:",
            f"{pad}    if {local} is None:",
            *(f"{pad}        {line}" for line in prep),
            f"{pad}        {local} = {term}",
            f"{pad}    {acc} += {local}",
        ]

    def body(c: Candidate) -> tuple[list[str], str]:
        """Lines (unindented) leaving the candidate's score in s, and the local then holding its
        utility (u, or uw when they are the same float)."""
        out = []
        if c.chance is None:
            out += [
                f"p = _float({reads.inline(c.bound.chance, 'v')})",
                f"p = {clamp_source('p', '0.0', '1.0')}",
            ]
        out.append("uw = 0.0")
        for fx in c.win:
            out += effect(fx, "uw", "")
        bias = py_literal(c.bias)
        if c.chance is None:
            out.append("ul = 0.0")
            # p is a float here (float() then clamped to float bounds): 1.0 in place of the
            # reference's 1 gives the same floats, on the interpreter's float-float fast paths.
            if c.lose:
                out.append("if not p >= 1.0:")
                for fx in c.lose:
                    out += effect(fx, "ul", "    ")
            return [
                *out,
                "u = p * uw + (1.0 - p) * ul",
                f"s = u - {spread} * p * (1.0 - p) * _abs(uw - ul) + {bias}",
            ], "u"
        if c.chance >= 1 and all(math.isfinite(fx[4]) and math.isfinite(fx[5]) for fx in c.win):
            # A sure move: u = 1.0 * uw + 0.0 * 0.0 and the risk term is 0.0 * |uw|, which
            # leave uw exactly as it is: with finite ranges uw is finite (or NaN, which both
            # forms keep), and never -0.0, as a sum from +0.0.
            return [*out, f"s = uw + {bias}"], "uw"
        # A constant chance: its factors are folded here with the same float operations.
        p = clamp(c.chance, 0.0, 1.0)
        out.append("ul = 0.0")
        if not p >= 1:
            for fx in c.lose:
                out += effect(fx, "ul", "")
        risk = spread_value * p * (1 - p)
        return [
            *out,
            f"u = {py_literal(p)} * uw + {py_literal(1 - p)} * ul",
            f"s = u - {py_literal(risk)} * _abs(uw - ul) + {bias}",
        ], "u"

    # Each distinct requirement is tested once per call (many moves share one across targets),
    # on the truth, before any candidate.
    requirements: dict[str, Expr] = {}
    for c in candidates:
        if c.requires is not None:
            requirements.setdefault(c.requires.py, c.requires)
    tests = {py: j for j, py in enumerate(requirements)}
    test_lines = [f"    r{j} = {reads.inline(requirements[py], truth)}" for py, j in tests.items()]
    # Which terms more than one distinct body has: written out once plainly, then again with
    # those terms shared.
    terms_of: dict[str, list[str]] = {}
    for c in candidates:
        if not c.static:
            met.clear()
            terms_of.setdefault("\n".join(body(c)[0]), list(met))
    uses = Counter(text for terms in terms_of.values() for text in terms)
    common.update((text, f"e{j}") for j, text in enumerate(t for t, n in uses.items() if n > 1))
    if common:
        lines.append(f"    {' = '.join(common.values())} = None")
    made = [None if c.static else body(c) for c in candidates]
    bodies = [None if m is None else "\n".join(m[0]) for m in made]
    # Candidates with the same body (a move whose effects on what this actor weighs do not
    # depend on the target) are worked out once per call and shared.
    shared = {
        b: j
        for j, b in enumerate(
            dict.fromkeys(b for b in bodies if b is not None and bodies.count(b) > 1)
        )
    }
    if shared:
        lines.append(f"    {' = '.join(f's{j}' for j in range(len(shared)))} = None")
    lines += test_lines
    for i, (c, text, m) in enumerate(zip(candidates, bodies, made, strict=True)):
        lines.append(f"    # {c.move!r} -> {c.target!r}")  # repr: never a line break
        pad = "    "
        tests_here = [] if c.requires is None else [f"r{tests[c.requires.py]}"]
        if planned:
            h = f"a{i}"
            tests_here.insert(0, f"{h} is not False")
        if tests_here:
            lines.append(f"    if {' and '.join(tests_here)}:")
            pad = "        "
        # The score and utility are read from where the body leaves them (no copies).
        if m is None or text is None:
            s, u = py_literal(c.bias), "0.0"
        else:
            j = shared.get(text)
            if j is None:
                lines += [pad + line for line in m[0]]
                s, u = "s", m[1]
            else:
                lines += [
                    f"{pad}if s{j} is None:",
                    *(f"{pad}    {line}" for line in m[0]),
                    f"{pad}    s{j} = s",
                    f"{pad}    u{j} = {m[1]}",
                ]
                s, u = f"s{j}", f"u{j}"
        if planned:
            lines += [
                f"{pad}if {h} is None:",
                f"{pad}    add(({s}, {u}, C[{i}]))",
                f"{pad}    top({s})",
                # A repeat's tempering (most of those there are: an agreement's is rare) is
                # T's first lines written out, without a call: (k, cost, forbids, word) = plan.
                f"{pad}elif {h}[2]:",
                f"{pad}    T({s}, {u}, C[{i}], {h}, add, top)",
                f"{pad}else:",
                f"{pad}    q = {h}[0]",
                f"{pad}    q = {s} if q is None else ({s} * q if {s} > 0.0 else {s}) - {h}[1]",
                f"{pad}    add((q, {u}, C[{i}]))",
                f"{pad}    top(q)",
            ]
        else:
            lines += [f"{pad}add(({s}, {u}, C[{i}]))", f"{pad}top({s})"]
    lines.append("    return out, scores")
    head = "def score_planned(v, K, C, A, T):" if planned else "def score_all(t, v, K, C):"
    return "\n".join([head, *reads.loads(), *lines]) + "\n"


def compile_scoring(source: str, name: str = "score_all") -> Any:
    """The function ``name`` that :func:`scoring_source` (or :func:`coefficients_source`)
    describes, or None when Python's compiler cannot take it (an expression nested deeper than
    its limits): the player then scores option by option."""
    namespace: dict[str, object] = {**PY_GLOBALS, "_float": float, "_abs": abs, "_sum": sum}
    try:
        # From the world cache's folder when this source was compiled before.
        exec(worldcache.compiled(source, "<sitroom scoring>"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    return namespace[name]


Interests = Sequence[tuple[str, float, Sequence[tuple[str, float]], Sequence[tuple[str, float]]]]
"""A player's interests: (id, base weight, ((faction id, multiplier), ...), ((state name, signed
weight), ...)), as :class:`actors.profile.ProfilePolicy` holds them."""


def coefficients_source(interests: Interests, names: Sequence[str]) -> str | None:
    """Python source of ``coefficients(F, S)``: the utility per unit change of each state name
    (``coef``, in the order :meth:`actors.profile.ProfilePolicy.gradient` meets the names),
    those of ``names`` as a tuple (0.0 for a name no interest weighs) and the interests' weights
    in order (what ``weights`` gives, for the rationale's gradient), from the factions'
    influence ``F`` and the game's weight factors ``S`` (or None), with the arithmetic of
    ``weights``, ``gradient`` and the sums of ``_refresh`` (``sum`` over the same terms in the
    same order). It returns None when a weight is 0 (that interest is left out of the
    gradient: the plain path does it). None when two interests share an id (the plain path's
    dictionary would keep one)."""
    ids = [iid for iid, _w, _m, _wants in interests]
    if len(set(ids)) != len(ids):
        return None
    lines = ["def coefficients(F, S):", "    total = _sum(F.values())"]
    if interests:
        lines.append("    if total > 0:")
        for i, (_iid, _w, mults, _wants) in enumerate(interests):
            terms = "".join(f"F[{fid!r}] * {py_literal(m)}, " for fid, m in mults)
            lines.append(f"        m{i} = _sum(({terms})) / total")
        lines += [
            "    else:",
            f"        {' = '.join(f'm{i}' for i in range(len(interests)))} = 1.0",
        ]
        for i, (_iid, weight, _m, _wants) in enumerate(interests):
            lines.append(f"    w{i} = {py_literal(weight)} * m{i}")
        lines.append("    if S is not None:")
        lines += [f"        w{i} = w{i} * S[{i}]" for i in range(len(interests))]
        lines.append(f"    if {' or '.join(f'w{i} == 0' for i in range(len(interests)))}:")
        lines.append("        return None")
    parts: dict[str, list[str]] = {}
    for i, (_iid, _w, _m, wants) in enumerate(interests):
        for name, signed in wants:
            parts.setdefault(name, []).append(f"w{i} * {py_literal(signed)}, ")
    local = {name: f"c{j}" for j, name in enumerate(parts)}
    lines += [f"    {local[name]} = _sum(({''.join(terms)}))" for name, terms in parts.items()]
    coef = ", ".join(f"{name!r}: {local[name]}" for name in parts)
    vector = "".join(f"{local.get(name, '0.0')}, " for name in names)
    weights = "".join(f"w{i}, " for i in range(len(interests)))
    lines.append(f"    return {{{coef}}}, ({vector}), ({weights})")
    return "\n".join(lines) + "\n"
