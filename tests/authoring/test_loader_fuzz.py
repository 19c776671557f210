"""Property tests: whatever text arrives, the loader answers with problems; no crash, no hang."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.authoring.loader import check_text
from sim.authoring.problems import UserError

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("actors/*.yaml"),
        *ROOT.glob("tests/data/good/*.yaml"),
    ]
)
TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
# Characters that matter to YAML's grammar, so mutations hit interesting paths quickly.
SPECIAL = [*":-[]{},&*!|>'\"#%@`?\t\n ", "<<", "---", "!!python/name:os.system", "&a", "*a"]

FUZZ = settings(
    max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow]
)


def check(text: str) -> None:
    """The loader returns problems with real positions; only UserError may escape."""
    try:
        checked = check_text(text, "fuzz.yaml")
    except UserError:
        return
    lines = len(re.split("\r\n|\r|\n", text))
    for problem in checked.problems:
        assert 0 <= problem.line <= lines, problem
        assert problem.col >= 0, problem
        assert problem.message
        problem.format()


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A bundled or fixture file with a few characters or lines deleted, inserted or swapped."""
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        pos = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["delete", "insert", "swap_lines", "dup_line", "cut"]))
        if action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 8)) :]
        elif action == "insert":
            piece = draw(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=4)))
            text = text[:pos] + piece + text[pos:]
        elif action == "cut":
            text = text[:pos]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if action == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    return text


@FUZZ
@given(st.text(max_size=300))
def test_random_text_never_crashes(text: str) -> None:
    """Arbitrary text gives problems, never another exception."""
    check(text)


@FUZZ
@given(st.lists(st.sampled_from([*SPECIAL, "a", "b", "kind", "1", " "]), max_size=80))
def test_yaml_punctuation_never_crashes(pieces: list[str]) -> None:
    """Dense YAML punctuation (anchors, tags, flow collections) gives problems, never a crash."""
    check("".join(pieces))


@FUZZ
@given(mutated())
def test_mutated_files_never_crash(text: str) -> None:
    """Bundled files with random edits give problems, never a crash or a hang."""
    check(text)
