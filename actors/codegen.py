"""The profile player's scoring, unrolled into one generated Python function per world and actor.

:func:`scoring_source` writes :meth:`actors.profile.ProfilePolicy.score` out for every candidate,
with the checked expressions inlined (``Expr.py``); :func:`compile_scoring` compiles it. The
generated function must give the reference's floats exactly (tests/actors/test_codegen.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

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


class _Reads:
    """The state reads of the generated function, each made once into a local at its top (a
    subscript costs several times a local's load): ``t`` is the truth, ``v`` the believed state.
    Locals are numbered in order of first use."""

    def __init__(self) -> None:
        self.locals: dict[tuple[str, str], str] = {}

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
        for name in sorted(expr.names, key=lambda n: py.index(f"v[{n!r}]")):
            py = py.replace(f"v[{name!r}]", self(mapping, name))
        return py

    def loads(self) -> list[str]:
        """The lines that read every local, for the top of the function."""
        return [f"    {local} = {m}[{name!r}]" for (m, name), local in self.locals.items()]


def scoring_source(
    candidates: Sequence[Candidate], names: Sequence[str], risk_tolerance: float
) -> str:
    """Python source of one function that scores every candidate,
    :meth:`actors.profile.ProfilePolicy.score` unrolled: the same arithmetic in the same order
    (so the same floats and the same choices), without a call or a loop per candidate.
    Everything in it comes from checked models: state names as string literals, numbers as
    :func:`sim.engine.expr.py_literal`, expressions as :attr:`Expr.py`."""
    slot = {n: i for i, n in enumerate(names)}
    reads = _Reads()
    lines = [
        "    out = []",
        "    add = out.append",
        "    scores = []",
        "    top = scores.append",
    ]
    if names:
        lines.append(f"    {''.join(f'k{i}, ' for i in range(len(names)))}= K")
    spread_value = 1 - risk_tolerance
    spread = py_literal(spread_value)

    # The helpers ask for locals in the order their lines read them: numbered top to bottom.
    def effect(fx: Fx, acc: str, pad: str) -> list[str]:
        name, is_add, const, eff, lo, hi, is_flag = fx
        k = f"k{slot[name]}"
        if is_flag:
            amount = (
                py_literal(const) if const is not None else f"({reads.inline(eff.amount, 'v')})"
            )
            change = f"(_float(_bool({amount})) - _float({reads('v', name)}))"
            return [f"{pad}if {k}:", f"{pad}    {acc} += {k} * {change}"]
        old = reads("v", name)
        amount = py_literal(const) if const is not None else f"({reads.inline(eff.amount, 'v')})"
        new = (
            f"o + {amount}"
            if is_add
            else (py_literal(float(const)) if const is not None else f"_float({amount})")
        )
        low, high = py_literal(lo), py_literal(hi)
        return [
            f"{pad}if {k}:",
            f"{pad}    o = {old}",
            f"{pad}    n = {new}",
            f"{pad}    {acc} += {k} * ({clamp_source('n', low, high)} - o)",
        ]

    def body(c: Candidate) -> list[str]:
        """Lines (unindented) leaving the candidate's score in s and its utility in u."""
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
            if c.lose:
                out.append("if not p >= 1:")
                for fx in c.lose:
                    out += effect(fx, "ul", "    ")
            return [
                *out,
                "u = p * uw + (1 - p) * ul",
                f"s = u - {spread} * p * (1 - p) * _abs(uw - ul) + {bias}",
            ]
        if c.chance >= 1 and all(math.isfinite(fx[4]) and math.isfinite(fx[5]) for fx in c.win):
            # A sure move: u = 1.0 * uw + 0.0 * 0.0 and the risk term is 0.0 * |uw|, which
            # leave uw exactly as it is: with finite ranges uw is finite (or NaN, which both
            # forms keep), and never -0.0, as a sum from +0.0.
            return [*out, "u = uw", f"s = u + {bias}"]
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
        ]

    # Each distinct requirement is tested once per call (many moves share one across targets),
    # on the truth, before any candidate.
    requirements: dict[str, Expr] = {}
    for c in candidates:
        if c.requires is not None:
            requirements.setdefault(c.requires.py, c.requires)
    tests = {py: j for j, py in enumerate(requirements)}
    test_lines = [f"    r{j} = {reads.inline(requirements[py], 't')}" for py, j in tests.items()]
    bodies = [None if c.static else "\n".join(body(c)) for c in candidates]
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
    for i, (c, text) in enumerate(zip(candidates, bodies, strict=True)):
        lines.append(f"    # {c.move!r} -> {c.target!r}")  # repr: never a line break
        pad = "    "
        if c.requires is not None:
            lines.append(f"    if r{tests[c.requires.py]}:")
            pad = "        "
        if text is None:
            lines += [
                f"{pad}add(({py_literal(c.bias)}, 0.0, C[{i}]))",
                f"{pad}top({py_literal(c.bias)})",
            ]
            continue
        j = shared.get(text)
        if j is None:
            lines += [pad + line for line in text.split("\n")]
        else:
            lines += [
                f"{pad}if s{j} is None:",
                *(f"{pad}    {line}" for line in text.split("\n")),
                f"{pad}    s{j} = s",
                f"{pad}    u{j} = u",
                f"{pad}s = s{j}",
                f"{pad}u = u{j}",
            ]
        lines += [f"{pad}add((s, u, C[{i}]))", f"{pad}top(s)"]
    lines.append("    return out, scores")
    return "\n".join(["def score_all(t, v, K, C):", *reads.loads(), *lines]) + "\n"


def compile_scoring(source: str) -> ScoreAll | None:
    """The function :func:`scoring_source` describes, or None when Python's compiler cannot take
    it (an expression nested deeper than its limits): the player then scores option by option."""
    namespace: dict[str, object] = {**PY_GLOBALS, "_float": float, "_abs": abs}
    try:
        # From the world cache's folder when this source was compiled before.
        exec(worldcache.compiled(source, "<sitroom scoring>"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    return namespace["score_all"]  # type: ignore[return-value]
