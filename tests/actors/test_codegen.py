"""Generated code means exactly what the checked closures mean.

Expressions run as Python lambdas generated from the checked tree (``sim.engine.expr``), and each
computer player scores its options with one generated function (``actors.codegen``). Both must
agree with the reference implementations, float for float, or runs would change with the speed-up.
"""

from __future__ import annotations

import ast
import math
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actors.candidates import Candidate
from actors.codegen import scoring_source
from actors.profile import ProfilePolicy, _temper_one
from sim.authoring.library import scenarios
from sim.authoring.loader import load_scenario
from sim.engine.expr import ExprError, Fn, Values, _Compiler, compile_expr
from sim.engine.session import Session
from sim.engine.view import View, seat_view
from sim.engine.world import World
from sim.record.runner import run

NAMES = ("a", "b", "c.d", "flag")


def closure(source: str, known: Callable[[str], bool] = lambda _n: True) -> Fn:
    """The reference: the checked closure tree for ``source``."""
    return _Compiler(source, known, ()).compile(ast.parse(source, mode="eval").body)


def same(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y


def exprs() -> st.SearchStrategy[str]:
    leaves = st.one_of(
        st.sampled_from(["a", "b", "c.d", "flag", "true", "false"]),
        st.integers(-3, 3).map(str),
        st.sampled_from(["0.5", "2.0", "0", "9.5", "0.0"]),
    )

    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binop = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%"]), inner)
        cmp = st.tuples(inner, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner)
        return st.one_of(
            binop.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            cmp.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"),
            st.lists(inner, min_size=2, max_size=4).map(lambda xs: f"({' and '.join(xs)})"),
            st.lists(inner, min_size=2, max_size=4).map(lambda xs: f"({' or '.join(xs)})"),
            inner.map(lambda x: f"(not {x})"),
            inner.map(lambda x: f"(-{x})"),
            inner.map(lambda x: f"(+{x})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
            st.tuples(inner, inner).map(lambda t: f"min({t[0]}, {t[1]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"max({t[0]}, {t[1]}, {t[2]})"),
            inner.map(lambda x: f"abs({x})"),
            st.tuples(inner, inner, inner).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
            inner.map(lambda x: f"round({x}, 2)"),
        )

    return st.recursive(leaves, grow, max_leaves=12)


values = st.fixed_dictionaries(
    {
        "a": st.floats(-100, 100, allow_nan=False) | st.integers(-5, 5),
        "b": st.sampled_from([0, 0.0, 1.5, -2.0, 60.0]),
        "c.d": st.floats(0, 1),
        "flag": st.booleans(),
    }
)


@settings(max_examples=400, deadline=None)
@given(exprs(), values)
def test_generated_expressions_agree_with_the_closures(source: str, vals: Values) -> None:
    reference = closure(source)
    generated = compile_expr(source, NAMES)
    try:
        want: object = reference(vals)
    except (OverflowError, ValueError, TypeError) as exc:  # e.g. round(inf), as in the closures
        with pytest.raises(type(exc)):
            generated(vals)
        return
    assert same(generated(vals), want), (source, generated.py)


@pytest.mark.parametrize(
    ("source", "want"),
    [
        ("a / 0", 0.0),
        ("a // b", 0.0),
        ("a % 0", 0.0),  # the language's safe division
        ("a / 4", 1.25),
        ("1 < a < 10", True),
        ("a > 1 and b", 0),
        ("a > 1 and b > 1 and true", False),  # three operands give a bool, as all() does
        ("+flag", True),
        ("round(c.d, 1)", 0.2),
        ("round(1, 9.5) / b", 0.0),  # the divisor first: a zero one leaves the dividend unread
        (" + ".join(["a"] * 300), 1500),  # deeper than Python's parser: the closure stays
    ],
)
def test_generated_expression_cases(source: str, want: object) -> None:
    vals = {"a": 5, "b": 0, "c.d": 0.25, "flag": True}
    assert same(compile_expr(source, NAMES)(vals), want)
    assert same(closure(source)(vals), want)


@pytest.mark.parametrize("source", ["1e999 > a", "-1e999 < a", "1e999 * 0 != 1e999 * 0"])
def test_non_finite_literals_are_refused(source: str) -> None:
    """Infinities and NaN have no place in a state (logs with them would not verify)."""
    with pytest.raises(ExprError, match="out of range"):
        compile_expr(source, NAMES)


def test_generated_code_has_no_builtins() -> None:
    """The lambdas run without builtins: only the language's own functions are reachable."""
    fn = compile_expr("abs(a)", NAMES).fn
    assert fn.__globals__["__builtins__"] == {}


def check_scoring(world: World) -> list[ProfilePolicy]:
    """Every profile player's scorer gives ProfilePolicy.score's floats for every candidate whose
    requirement holds, on states met in real play (not just the initial one)."""
    states = [dict(world.initial)]
    for seed in range(4):
        session = run(world, seed)
        states.append(dict(session.state.values))
    rng = random.Random(7)
    players = []
    for actor, model in world.models.items():
        if model.policy != "profile":
            continue
        policy = ProfilePolicy(world, actor)
        source = scoring_source(policy.candidates, policy._names, model.risk_tolerance)
        assert "score_all" in source
        # Every state name is read once, into a local, at the top of the function.
        reads = [line for line in source.splitlines() if re.search(r"\b[tv]\[", line)]
        assert all(re.fullmatch(r"    ([tv])\d+ = \1\['[^']*'\]", line) for line in reads)
        assert len(set(reads)) == len(reads)
        for values in states:
            factions = {f.id: rng.random() for f in model.factions}
            policy._refresh(factions)
            got, scores = policy._score_all(values, values, policy._kvec, policy.candidates)
            want = [
                (*policy.score(values, c), c)
                for c in policy.candidates
                if c.requires is None or c.requires.fn(values)
            ]
            want = [(c.bias, 0.0, c) if c.static else (s, u, c) for s, u, c in want]
            assert same_options(got, want)
            assert same_options(scores, [s for s, _u, _c in want])
        players.append(policy)
    return players


def same_options(got: list, want: list) -> bool:  # type: ignore[type-arg]
    """Equal, NaN included (a NaN score equals a NaN score here)."""
    flat = [
        (a, b)
        for x, y in zip(got, want, strict=True)
        for a, b in (zip(x, y, strict=True) if isinstance(x, tuple) else [(x, y)])
    ]
    return len(got) == len(want) and all(a is b or same(a, b) for a, b in flat)


@pytest.mark.parametrize("scenario", sorted({e.id for e in scenarios()}))
def test_generated_scoring_agrees_with_score(scenario: str) -> None:
    """Every bundled scenario: the generated scorers agree with the reference."""
    assert all(p._score_all != p.score_each for p in check_scoring(load_scenario(scenario)))


TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tutorial.yaml"
DEEP = "+".join(["t*0"] * 199 + ["8"])  # 200 terms: deeper than Python's parser allows


@pytest.mark.parametrize(
    ("swaps", "generated"),
    [
        (
            [
                (
                    "- {change: self.domestic_support, by: 8}",
                    f'- {{change: self.domestic_support, by: "{DEEP}"}}',
                )
            ],
            False,
        ),
    ],
    ids=["deep expression"],
)
def test_scoring_with_odd_numbers_and_deep_expressions(
    tmp_path: Path, swaps: list[tuple[str, str]], generated: bool
) -> None:
    """An expression too deep for Python's parser plays as the reference scorer does, by
    falling back to scoring option by option (infinite and NaN numbers are refused at load)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "variant.yaml"
    path.write_text(text, encoding="utf-8")
    players = check_scoring(load_scenario(path))
    assert all(p._score_all != p.score_each for p in players) is generated


def reference_options(
    policy: ProfilePolicy, view: View, chosen: list[tuple[str, str | None]]
) -> list[tuple[float, float, Candidate]]:
    """What the player chooses from, by the reference: every candidate scored, then filtered
    (requirements on the beliefs, legality, taken) and tempered one pass at a time."""
    values = view.believed
    options, _ = policy.score_each(values, values, policy._kvec, policy.candidates)
    options = [o for o in options if o[2].key in view.legal and o[2].key not in chosen]
    return policy._temper(options, view)


@pytest.mark.parametrize("scenario", sorted({e.id for e in scenarios()}))
def test_the_planned_scorer_and_coefficients_agree_with_the_reference(scenario: str) -> None:
    """At every round of real runs, with repeats and red-line responses taken: the generated
    coefficients are the reference's weights, gradient and sums, and the generated scorer with
    its plan gives the reference's options (filters and tempering), in the same order."""
    world = load_scenario(scenario)
    rng = random.Random(3)
    checked = 0
    for seed in range(3):
        session = Session(world, seed)
        while not session.over:
            for actor, model in world.models.items():
                if model.policy != "profile":
                    continue
                policy = session.computer.policy(actor)
                assert isinstance(policy, ProfilePolicy)
                view = seat_view(world, session.state, actor, (), options=False)
                twin = policy.fork()
                twin.scale = twin.scale or (1.0,) * len(model.interests)
                twin._refresh(view.factions)
                plain = twin.gradient(twin.weights(view.factions))
                coef = {n: sum(g for _i, g in parts) for n, parts in plain.items()}
                assert list(twin._coef.items()) == list(coef.items())
                assert twin._kvec == tuple(coef.get(n, 0.0) for n in twin._names)
                assert twin.gradients() == plain
                legal = sorted(view.legal, key=str)
                chosen = rng.sample(legal, min(len(legal), rng.choice((0, 0, 1, 2))))
                for key in rng.sample(legal, min(len(legal), 4)):
                    twin.used[key] = rng.randint(0, 3)
                scorer = twin._tables.score_planned
                assert scorer is not None
                plan = twin._plan(view.legal, chosen, view)
                got, scores = scorer(view.believed, twin._kvec, twin.candidates, plan, _temper_one)
                want = reference_options(twin, view, chosen)
                assert same_options(got, want)
                assert same_options(scores, [o[0] for o in want])
                checked += 1
            session.close_round()
    assert checked
