"""The author's listings and views, through the command as a user runs it: moves, sources,
actors, timeline."""

from __future__ import annotations

from pathlib import Path

from tests.ui.test_cli_foundation import GOOD, sitroom


def test_moves_of_a_scenario_for_one_actor() -> None:
    """`moves SCENARIO --actor A` lists what A may use, with who, escalation, requires,
    chance and effects in words."""
    out = sitroom("moves", "korea-instability-2012", "--actor", "china")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "hotline_call  Hotline call\n" in text
    assert "  requires: flags.hotline_open\n" in text
    assert "  who: us, china; diplomatic, escalation 0, public, lands after 12 h\n" in text
    assert "  effects: flags.coordination_mechanism set to yes, nuclear_security +10" in text
    assert "(defined in this scenario)" in text  # the scenario's own moves are marked
    assert text.rstrip().endswith("moves china may use in korea-instability-2012")
    assert "  who: us\n" not in text  # nothing only the US may use


def test_moves_unknown_actor_and_usage_errors() -> None:
    """An unknown actor is an input error with a hint; --actor without a scenario is usage."""
    bad = sitroom("moves", "korea-instability-2012", "--actor", "chnia")
    assert bad.returncode == 1
    assert "no actor 'chnia' in scenario 'korea-instability-2012'; did you mean 'china'?" in (
        bad.stderr
    )
    usage = sitroom("moves", "--actor", "china")
    assert usage.returncode == 2


def test_moves_without_scenario_lists_bundled_catalogues() -> None:
    """Without a scenario every bundled catalogue is listed."""
    out = sitroom("moves")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# catalogue 'default': ")
    assert "\nwait  Wait and consult\n  who: all; diplomatic, escalation 0, public\n" in out.stdout


def test_sources_lists_key_year_basis_title() -> None:
    """`sources` shows every citable key with its year and basis."""
    out = sitroom("sources")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["key", "year", "basis", "title"]
    assert lines[3].startswith("E1   2008  reported  Glaser, Snyder, Park")
    own = sitroom("sources", "--file", str(GOOD / "sources.yaml"))
    assert own.returncode == 0, own.stderr
    assert "T1" in own.stdout


def test_bare_actors_lists_profiles() -> None:
    """`actors` alone lists the profiles (it used to exit 2)."""
    out = sitroom("actors")
    assert out.returncode == 0, out.stderr
    assert "china      People's Republic of China" in out.stdout
    assert sitroom("actors", "list").stdout == out.stdout


def test_timeline_shows_schedule_and_what_fires() -> None:
    """`timeline` groups each round's injects by audience and counts triggers and ends."""
    out = sitroom("timeline", "korea-instability-2012", "-n", "4")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith(
        "korea-instability-2012: 8 rounds of 6 h; fired over 4 computer-played runs (seeds 0..3)"
    )
    assert "round 1  (0-6 h)\n  injects to public:\n    0 h leader_absent: " in text
    assert "  injects to us:\n    0 h us_imagery_medical: " in text
    assert "  trigger exodus: 100% of runs (4/4)" in text
    ends = [line for line in text.splitlines() if line.startswith("  ends: ")]
    assert sum(int(line.rsplit("(", 1)[1].split("/")[0]) for line in ends) == 4


def test_timeline_schedule_only() -> None:
    """With -n 0 only the schedule is shown."""
    out = sitroom("timeline", "korea-instability-2012", "-n", "0")
    assert out.returncode == 0, out.stderr
    assert "trigger" not in out.stdout and "ends:" not in out.stdout


def test_schema_accepts_numbers_written_as_text() -> None:
    """The loader takes `at: "60"`; the schema takes it too (and still takes 60)."""
    import json
    import re

    from ui.cli.schema import NUMERIC_TEXT, schema_text

    schema = json.loads(schema_text("scenario"))
    at = schema["$defs"]["Inject"]["properties"]["at"]
    assert {"type": "number", "minimum": 0} in at["anyOf"]
    assert {"type": "string", "pattern": NUMERIC_TEXT} in at["anyOf"]
    for text in ("60", " 18.5 ", "-3", "1e2", ".5"):
        assert re.match(NUMERIC_TEXT, text), text
    for text in ("sixty", "60h", ""):
        assert not re.match(NUMERIC_TEXT, text), text


def test_quoted_number_loads(tmp_path: Path) -> None:
    """The case the schema follows: a quoted number is a number to the loader."""
    text = (GOOD / "mini.yaml").read_text(encoding="utf-8")
    for name in ("alpha", "beta", "mini_moves", "sources"):
        (tmp_path / f"{name}.yaml").write_text((GOOD / f"{name}.yaml").read_text())
    (tmp_path / "mini.yaml").write_text(text.replace("rounds: 3}", 'rounds: "3"}'))
    out = sitroom("validate", str(tmp_path / "mini.yaml"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_new_scenario_in_a_subfolder_finds_the_schema(tmp_path: Path) -> None:
    """`new scenario --dir a/b` below a schema folder points its header up to it."""
    assert sitroom("schema", "--write", "schema", cwd=tmp_path).returncode == 0
    out = sitroom("new", "scenario", "deep", "--dir", "a/b", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    head = (tmp_path / "a" / "b" / "deep.yaml").read_text().splitlines()[0]
    assert head == "# yaml-language-server: $schema=../../schema/scenario.schema.json"
    assert (tmp_path / "a" / "b" / "../../schema/scenario.schema.json").is_file()
