"""The positioned YAML reader, problem formatting, the loader and the registry."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.authoring import library as registry
from sim.authoring.loader import (
    bundled_catalogues,
    check_text,
    load_file,
    load_scenario,
    resolve_scenario,
    validate_paths,
)
from sim.authoring.problems import EXIT_INTERNAL, Problem, UserError, describe_exception
from sim.authoring.yamlsrc import ALIAS_BUDGET, parse
from sim.models import Catalogue, Scenario

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def refused(text: str) -> UserError:
    """The UserError that parsing ``text`` raises."""
    with pytest.raises(UserError) as info:
        parse(text, "t.yaml")
    return info.value


# -- problems ------------------------------------------------------------------------------------


def test_problem_format_has_caret_under_column() -> None:
    """A positioned problem prints path:line:col, the line, and a caret under the column."""
    p = Problem("f.yaml", 3, 5, "bad", source_line="a: bbb")
    assert p.format() == "f.yaml:3:5: bad\n 3 | a: bbb\n   |     ^"


def test_problem_without_position_is_one_line() -> None:
    """Unknown positions are left out, never shown as 0 or invented."""
    assert Problem("f.yaml", 0, 0, "empty file").format() == "f.yaml: empty file"
    assert Problem("f.yaml", 2, 0, "m", source_line="x").format() == "f.yaml:2: m\n 2 | x"


def test_warning_is_labelled() -> None:
    """Warnings say so in the header line."""
    assert Problem("f", 1, 1, "m", "warning").format().startswith("f:1:1: warning: m")


def test_caret_counts_wide_characters_and_tabs() -> None:
    """Hangul takes two terminal cells and tabs are copied, so the caret lines up."""
    p = Problem("f", 1, 4, "m", source_line="대화\tx")
    assert p.format().splitlines()[2] == "   |     \t^"


def test_internal_errors_are_told_apart() -> None:
    """A user error keeps its code; anything else is an internal error with exit 70."""
    assert describe_exception(UserError("nope")) == ("error: nope", 1)
    text, code = describe_exception(ZeroDivisionError("division by zero"))
    assert code == EXIT_INTERNAL
    assert text.startswith("internal error: ZeroDivisionError: division by zero")
    assert "\n" not in text


# -- yamlsrc -------------------------------------------------------------------------------------


def test_positions_by_path() -> None:
    """Keys and values record 1-based line and column by their path."""
    doc = parse("a:\n  - x: 1\n    y: [2, 3]\n", "t.yaml")
    assert doc.data == {"a": [{"x": 1, "y": [2, 3]}]}
    assert doc.position(("a", 0, "y", 1)) == (3, 12)
    assert doc.position(("a", 0, "y"), at="key") == (3, 5)


def test_missing_location_falls_back_to_nearest_ancestor() -> None:
    """A path the file does not contain points at its closest existing parent."""
    doc = parse("a:\n  b: 1\n", "t.yaml")
    assert doc.position(("a", "zzz", 3)) == (2, 3)


def test_anchors_and_merge_keys_work() -> None:
    """Ordinary anchors, aliases and `<<` merges load; explicit keys beat merged ones."""
    doc = parse("base: &b {x: 1, y: 2}\nuse: *b\nmix:\n  <<: *b\n  y: 5\n", "t.yaml")
    assert doc.data["use"] == {"x": 1, "y": 2}
    assert doc.data["mix"] == {"x": 1, "y": 5}
    assert doc.position(("use",)) == (2, 6)


def test_alias_bomb_refused_quickly() -> None:
    """A billion-laughs file is refused in milliseconds, at an alias."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    start = time.perf_counter()
    err = refused(text)
    assert time.perf_counter() - start < 0.5
    assert "alias bomb" in err.problems[0].message
    assert err.problems[0].line > 0


def test_alias_budget_allows_real_reuse() -> None:
    """Reusing an anchor well within the budget is fine."""
    items = ", ".join(["*c"] * (ALIAS_BUDGET // 10))
    doc = parse(f"c: &c [1, 2, 3]\nall: [{items}]\n", "t.yaml")
    assert len(doc.data["all"]) == ALIAS_BUDGET // 10


def test_python_tag_never_executes(tmp_path: Path) -> None:
    """A python tag is a problem, and nothing is constructed or run."""
    marker = tmp_path / "pwned"
    doc = parse(f'x: !!python/object/apply:os.system ["touch {marker}"]\n', "t.yaml")
    assert doc.data == {"x": None}
    assert "not allowed" in doc.problems[0].message
    assert not marker.exists()


def test_duplicate_key_reported_at_second() -> None:
    """The second occurrence is the problem, and the message names the first line."""
    doc = parse("a: 1\nb: 2\na: 3\n", "t.yaml")
    (p,) = doc.problems
    assert (p.line, p.col) == (3, 1)
    assert "line 1" in p.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty file"),
        ("# just a comment\n", "empty file"),
        ("- a\n- b\n", "not a list"),
        ("just text\n", "not a single value"),
        ("a: [1, 2\n", "YAML syntax error"),
        ("a:\n\tb: 1\n", "tab character"),
        ("a: \x07\n", "unacceptable character"),
        ("a: 1\n---\nb: 2\n", "second document"),
        ("a: &x [*x]\n", "recursive"),
        pytest.param("[" * 3000, "nested too deeply", id="deep-nesting"),
    ],
)
def test_unreadable_text_is_one_problem(text: str, words: str) -> None:
    """Each way a file can fail to parse gives exactly one problem that says why."""
    err = refused(text)
    assert len(err.problems) == 1
    assert words in err.problems[0].message


def test_offsets_in_plain_and_quoted_scalars() -> None:
    """Offsets inside expressions map to exact columns in plain and quoted scalars."""
    doc = parse("a: x >= 7o\nb: ' x >= 7o'\nc: \"\\x41 y\"\nd: 'it''s y'\n", "t.yaml")
    assert doc.position(("a",), offset=5) == (1, 9)
    assert doc.position(("b",), offset=5) == (2, 11)  # leading space is stripped by the models
    assert doc.position(("c",), offset=2) == (3, 10)
    assert doc.position(("d",), offset=5) == (4, 11)


def test_offsets_in_block_scalars_point_at_start() -> None:
    """Folded and multi-line scalars never guess: they point at the value's start."""
    doc = parse("a: >-\n  x >=\n  7o\nb: x and\n  7o\n", "t.yaml")
    assert doc.position(("a",), offset=6) == (1, 4)
    assert doc.position(("b",), offset=6) == (4, 4)


def test_yaml11_boolean_keys_stay_names() -> None:
    """`no:` and `on:` are names as keys; integer keys stay integers (script rounds)."""
    assert parse("no: 1\non: 2\n3: x\n", "t.yaml").data == {"no": 1, "on": 2, 3: "x"}


def test_dates_stay_text() -> None:
    """Timestamps load as the text written (the models treat them as labels)."""
    assert parse("start: 2012-11-13\n", "t.yaml").data == {"start": "2012-11-13"}


# -- loader --------------------------------------------------------------------------------------


def test_check_text_collects_every_problem() -> None:
    """All problems of a file come back in one pass, in file order."""
    text = (
        "kind: catalogue\nid: c\ntitle: t\nmoves:\n"
        "  - {id: a, name: A, category: dip, escalation: 11}\n"
        "  - {id: B, name: B, category: military, escalation: 1, colour: red}\n"
    )
    problems = check_text(text, "c.yaml").problems
    assert [(p.line, p.col) for p in problems] == [(5, 32), (5, 49), (6, 10), (6, 57)]


def test_unknown_kind_suggests() -> None:
    """A misspelt kind gets a did-you-mean at the value."""
    (p,) = check_text("kind: actr\n", "a.yaml").problems
    assert p.message == "unknown kind 'actr'; did you mean 'actor'?"
    assert (p.line, p.col) == (1, 7)


def test_load_file_expect_kind() -> None:
    """Asking for one kind refuses a valid file of another."""
    with pytest.raises(UserError) as info:
        load_file(GOOD / "alpha.yaml", expect="scenario")
    assert "expected a file of kind 'scenario'" in info.value.problems[0].message


def test_load_scenario_builds_world_from_local_files() -> None:
    """Profiles and catalogues beside the scenario are used, and a world is built."""
    world = load_scenario(GOOD / "mini.yaml")
    assert world.id == "mini"
    assert set(world.moves) == {"protest", "talk"}


def test_load_scenario_raises_all_problems(tmp_path: Path) -> None:
    """A scenario with cross-file mistakes raises one UserError carrying all of them."""
    for name in ("alpha", "beta", "mini_moves", "sources"):
        (tmp_path / f"{name}.yaml").write_text((GOOD / f"{name}.yaml").read_text())
    text = (GOOD / "mini.yaml").read_text()
    text = text.replace("when: tension >= 60", "when: tensio >= 60")
    text = text.replace('when: "true"', 'when: "flags.talk"')
    (tmp_path / "s.yaml").write_text(text)
    with pytest.raises(UserError) as info:
        load_scenario(tmp_path / "s.yaml")
    messages = [p.message for p in info.value.problems]
    assert any("'tensio'" in m for m in messages)
    assert any("'flags.talk'" in m for m in messages)


def test_problem_in_profile_reported_in_profile_file(tmp_path: Path) -> None:
    """A broken profile is reported in its own file, not as a missing actor."""
    for name in ("beta", "mini_moves", "mini", "sources"):
        (tmp_path / f"{name}.yaml").write_text((GOOD / f"{name}.yaml").read_text())
    alpha = (GOOD / "alpha.yaml").read_text().replace("risk_tolerance: 0.3", "risk_tolerance: 3")
    (tmp_path / "alpha.yaml").write_text(alpha)
    problems = validate_paths([tmp_path / "mini.yaml"])
    assert [Path(p.path).name for p in problems] == ["alpha.yaml"]
    assert problems[0].message == "3 is above the maximum of 1"


def test_profile_id_must_match_file(tmp_path: Path) -> None:
    """alpha.yaml must hold the profile with id alpha."""
    for name in ("beta", "mini_moves", "mini", "sources"):
        (tmp_path / f"{name}.yaml").write_text((GOOD / f"{name}.yaml").read_text())
    (tmp_path / "alpha.yaml").write_text((GOOD / "beta.yaml").read_text())
    (p,) = validate_paths([tmp_path / "mini.yaml"])
    assert p.message == "this file is used as 'alpha' but its id is 'beta'"


def test_good_files_are_valid() -> None:
    """The good fixtures validate with no problem at all."""
    assert validate_paths(sorted(GOOD.glob("*.yaml"))) == []


def test_missing_file_is_one_line() -> None:
    """A missing file is a single unpositioned problem."""
    (p,) = validate_paths([Path("no/such/file.yaml")])
    assert p.format() == "no/such/file.yaml: no such file"


# -- registry ------------------------------------------------------------------------------------


def test_default_scenario_listed_first() -> None:
    """The flagship scenario is bundled and comes first."""
    assert registry.scenario_ids()[0] == registry.DEFAULT_SCENARIO


def test_unknown_scenario_id_suggests() -> None:
    """A misspelt scenario id is a user error with a suggestion."""
    with pytest.raises(UserError) as info:
        resolve_scenario("korea-instability-2021")
    assert "did you mean 'korea-instability-2012'?" in info.value.message


def test_paths_are_not_looked_up_as_ids() -> None:
    """Anything that looks like a path is used as a path."""
    assert resolve_scenario("x/y.yaml") == Path("x/y.yaml")
    assert resolve_scenario(Path("z")) == Path("z")


def test_bundled_files_are_valid() -> None:
    """Every bundled YAML file passes its own checks (cross-file checks: next test)."""
    for entry in (*registry.scenarios(), *registry.actors(), *registry.catalogues()):
        model, _ = load_file(entry.path)
        assert model is not None


def test_bundled_catalogues_load() -> None:
    """bundled_catalogues() returns every bundled catalogue model by id."""
    cats = bundled_catalogues()
    assert set(cats) == set(registry.catalogue_ids())
    assert all(isinstance(c, Catalogue) for c in cats.values())


@pytest.mark.skipif(not registry.actor_ids(), reason="bundled actor profiles not merged yet")
def test_bundled_scenarios_build() -> None:
    """Every bundled scenario builds with the bundled profiles and catalogues, no errors."""
    for ident in registry.scenario_ids():
        world = load_scenario(ident)
        assert isinstance(world.scenario, Scenario)


def test_lines_counted_as_editors_do() -> None:
    """U+2028 inside a value does not start a new line, so line numbers match the editor."""
    doc = parse("a: 'x\u2028y'\r\nb: 2\n", "t.yaml")
    assert doc.position(("b",)) == (2, 4)


def test_unknown_actor_id_is_user_error() -> None:
    """Looking up a bundled actor that does not exist is a user error, not a crash."""
    with pytest.raises(UserError) as info:
        registry.lookup_actor("nobody_at_all")
    assert "no bundled actor profile 'nobody_at_all'" in info.value.message


def test_control_characters_not_echoed() -> None:
    """A source line with control characters is shown with replacement characters."""
    shown = Problem("f", 1, 3, "m", source_line="a\x1b[2Jb").format()
    assert "\x1b" not in shown
    assert shown.splitlines()[1] == " 1 | a\ufffd[2Jb"


GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BAD_ORDERS = """kind: script
scenario: mini
rounds:
  1:
    alpha:
      moves:
        - {move: fly}
"""


def copy_mini(folder: Path, scenario_text: str | None = None) -> None:
    for name in ("mini.yaml", "mini_moves.yaml", "alpha.yaml", "beta.yaml", "sources.yaml"):
        (folder / name).write_text((GOOD / name).read_text(encoding="utf-8"), encoding="utf-8")
    if scenario_text is not None:
        (folder / "mini.yaml").write_text(scenario_text, encoding="utf-8")


def test_validate_checks_a_script_against_the_scenario_beside_it(tmp_path: Path) -> None:
    """A script's orders are checked against the scenario it names, found beside it, with the
    same messages `sitroom run` gives; validated together, the scenario is built only once."""
    copy_mini(tmp_path)
    script = tmp_path / "script.yaml"
    script.write_text(BAD_ORDERS, encoding="utf-8")
    for targets in ([script], [tmp_path / "mini.yaml", script]):
        problems = [p for p in validate_paths(targets) if p.path.endswith("script.yaml")]
        assert [(p.line, p.col, p.message, p.severity) for p in problems] == [
            (7, 18, "unknown move 'fly'", "error")
        ]


def test_a_script_whose_scenario_is_broken_gets_a_warning(tmp_path: Path) -> None:
    """The orders cannot be checked against a scenario with errors: the script says so."""
    broken = (
        (GOOD / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("when: tension >= 95", "when: tension >=")
    )
    copy_mini(tmp_path, broken)
    script = tmp_path / "script.yaml"
    script.write_text(BAD_ORDERS, encoding="utf-8")
    (problem,) = validate_paths([script])
    assert problem.severity == "warning"
    assert "scenario 'mini'" in problem.message and "has errors" in problem.message
    assert (problem.line, problem.col) == (2, 11)
