"""The profile player's scoring, unrolled into one generated Python function per world and actor.

:func:`scoring_source` writes :meth:`actors.profile.ProfilePolicy.score` out for every candidate,
with the checked expressions inlined (``Expr.py``); :func:`compile_scoring` compiles it. The
generated function must give the reference's floats exactly (tests/actors/test_codegen.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence

from actors.candidates import Candidate, Fx
from sim.engine.expr import PY_GLOBALS, Value, py_literal

ScoreAll = Callable[
    [Mapping[str, Value], Mapping[str, Value], Sequence[float], Sequence[Candidate]],
    tuple[list[tuple[float, float, Candidate]], list[float]],
]
"""``(truth, believed, coefficients, candidates)`` -> ``(score, utility, candidate)`` of every
candidate whose requirement holds on the truth, in candidate order, and the scores alone (whose
``max`` is the best score without a key function per option)."""


def _on(py: str, mapping: str) -> str:
    # Generated expression source reads the mapping ``v``; only subscripts start with "v[".
    return py.replace("v[", f"{mapping}[") if mapping != "v" else py


def scoring_source(
    candidates: Sequence[Candidate], names: Sequence[str], risk_tolerance: float
) -> str:
    """Python source of one function that scores every candidate,
    :meth:`actors.profile.ProfilePolicy.score` unrolled: the same arithmetic in the same order
    (so the same floats and the same choices), without a call or a loop per candidate.
    Everything in it comes from checked models: state names as string literals, numbers as
    :func:`sim.engine.expr.py_literal`, expressions as :attr:`Expr.py`."""
    slot = {n: i for i, n in enumerate(names)}
    lines = [
        "def score_all(t, v, K, C):",
        "    out = []",
        "    add = out.append",
        "    scores = []",
        "    top = scores.append",
    ]
    if names:
        lines.append(f"    {''.join(f'k{i}, ' for i in range(len(names)))}= K")
    spread_value = 1 - risk_tolerance
    spread = py_literal(spread_value)

    def effect(fx: Fx, acc: str, pad: str) -> list[str]:
        name, is_add, const, eff, lo, hi, is_flag = fx
        amount = py_literal(const) if const is not None else f"({eff.amount.py})"
        k = f"k{slot[name]}"
        if is_flag:
            change = f"(_float(_bool({amount})) - _float(v[{name!r}]))"
            return [f"{pad}if {k}:", f"{pad}    {acc} += {k} * {change}"]
        new = (
            f"o + {amount}"
            if is_add
            else (py_literal(float(const)) if const is not None else f"_float({amount})")
        )
        low, high = py_literal(lo), py_literal(hi)
        return [
            f"{pad}if {k}:",
            f"{pad}    o = v[{name!r}]",
            f"{pad}    n = {new}",
            f"{pad}    {acc} += {k} * (({low} if n < {low} else {high} if n > {high} else n) - o)",
        ]

    def body(c: Candidate) -> list[str]:
        """Lines (unindented) leaving the candidate's score in s and its utility in u."""
        out = ["uw = 0.0"]
        for fx in c.win:
            out += effect(fx, "uw", "")
        bias = py_literal(c.bias)
        if (
            c.chance is not None
            and c.chance >= 1
            and all(math.isfinite(fx[4]) and math.isfinite(fx[5]) for fx in c.win)
        ):
            # A sure move: u = 1.0 * uw + 0.0 * 0.0 and the risk term is 0.0 * |uw|, which
            # leave uw exactly as it is: with finite ranges uw is finite (or NaN, which both
            # forms keep), and never -0.0, as a sum from +0.0.
            return [*out, "u = uw", f"s = u + {bias}"]
        if c.chance is not None:
            # A constant chance: its factors are folded here with the same float operations.
            p = 0.0 if c.chance < 0 else 1.0 if c.chance > 1 else c.chance
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
        out = [
            f"p = _float({c.bound.chance.py})",
            "p = 0.0 if p < 0 else 1.0 if p > 1 else p",
            *out,
            "ul = 0.0",
        ]
        if c.lose:
            out.append("if not p >= 1:")
            for fx in c.lose:
                out += effect(fx, "ul", "    ")
        return [
            *out,
            "u = p * uw + (1 - p) * ul",
            f"s = u - {spread} * p * (1 - p) * _abs(uw - ul) + {bias}",
        ]

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
    # Each distinct requirement is tested once per call (many moves share one across targets).
    tests = {
        py: j
        for j, py in enumerate(
            dict.fromkeys(c.requires.py for c in candidates if c.requires is not None)
        )
    }
    lines += [f"    r{j} = {_on(py, 't')}" for py, j in tests.items()]
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
    # Read each state name once into a local: a subscript costs several times a local's load.
    code = "\n".join(lines[1:])
    reads = {m: f"{m[0]}{j}" for j, m in enumerate(dict.fromkeys(_READ.findall(code)))}
    code = _READ.sub(lambda m: reads[m.group(0)], code)
    loads = [f"    {local} = {read}" for read, local in reads.items()]
    return "\n".join([lines[0], *loads, code]) + "\n"


_READ = re.compile(r"\b[tv]\['[^']*'\]")
"""A read of the truth (``t[...]``) or the believed state (``v[...]``) in generated code."""


def compile_scoring(source: str) -> ScoreAll | None:
    """The function :func:`scoring_source` describes, or None when Python's compiler cannot take
    it (an expression nested deeper than its limits): the player then scores option by option."""
    namespace: dict[str, object] = {**PY_GLOBALS, "_float": float, "_abs": abs}
    try:
        exec(compile(source, "<sitroom scoring>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError):
        return None
    return namespace["score_all"]  # type: ignore[return-value]
