"""Content calibrated to 2012-13 (issue 15): sources dated, profiles as the record shows them,
scenarios whose endings depend on play, and nothing copied from the sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.authoring.loader import load_scenario
from sim.models import ActorProfile, Scenario, SourceList
from sim.record.runner import run
from tests.ui.test_cli_foundation import sitroom

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path("/work/shared/sources")
SETTING_ENDS = 2013
"""The last year of the setting: a source written later is later evidence."""


def _profile(name: str) -> ActorProfile:
    return ActorProfile.model_validate(
        yaml.safe_load((ROOT / "actors" / f"{name}.yaml").read_text())
    )


def _scenario(name: str) -> Scenario:
    return Scenario.model_validate(
        yaml.safe_load((ROOT / "scenarios" / f"{name}.yaml").read_text())
    )


def test_every_source_has_a_year_and_later_ones_say_so() -> None:
    """A year on every entry; `later` set exactly on sources from after 2013."""
    sources = SourceList.model_validate(yaml.safe_load((ROOT / "actors/sources.yaml").read_text()))
    for s in sources.sources:
        assert (s.year > SETTING_ENDS) == bool(s.later), (s.key, s.year, s.later)


def test_actors_show_prints_years_and_marks_later_evidence() -> None:
    """`sitroom actors show` puts the year beside each citation and flags later evidence."""
    result = sitroom("actors", "show", "russia")
    assert result.returncode == 0, result.stderr
    assert "[E29 2013, reported]" in result.stdout
    assert "[E19 2016, LATER EVIDENCE, reported]" in result.stdout
    assert "E19 (2016):" in result.stdout


def test_china_carries_out_un_sanctions_and_does_not_want_them_lowered() -> None:
    """No interest of China's wants sanctions lower; one wants them carried out (S2, E29), and
    a test strengthens the faction that weighs it most."""
    china = _profile("china")
    wants = [(w.indicator, w.direction) for i in china.interests for w in i.wants]
    assert ("sanctions", "lower") not in wants
    assert ("sanctions", "higher") in wants
    strategists = next(f for f in china.factions if f.id == "strategists")
    assert strategists.interests["un_resolutions"] > 1
    assert any(s.when == "flags.nuclear_test" and s.by > 0 for s in strategists.shifts)


def test_russia_as_it_voted_in_2013() -> None:
    """Russia's Council interest cites the 2013 votes; alignment with China is later evidence."""
    russia = _profile("russia")
    ids = {i.id for i in russia.interests}
    assert "with_china" not in ids and "council_role" in ids
    council = next(i for i in russia.interests if i.id == "council_role")
    assert "E29" in {c.source for c in council.cite}
    assert {w.indicator for w in council.wants} >= {"trust.self.china", "trust.self.us"}


def test_rok_conservative_government_and_japan_abductees() -> None:
    """Seoul's conservatives lead in November 2012; Japan weighs the abductee issue."""
    rok = {f.id: f.weight for f in _profile("rok").factions}
    assert rok["conservatives"] > rok["progressives"]
    japan = _profile("japan")
    assert "abductees" in {i.id for i in japan.interests}
    assert "press_abduction_issue" in japan.instruments.moves  # type: ignore[union-attr]


def test_yeonpyeong_regret_comes_only_from_the_dprk() -> None:
    """No trigger or inject sets `regret_expressed`; the only move that does is the DPRK's."""
    s = _scenario("yeonpyeong-clash")
    setters = [
        ("trigger", t.id) for t in s.triggers for e in t.effects if "regret_expressed" in str(e)
    ] + [("inject", i.id) for i in s.injects for e in i.effects if "regret_expressed" in str(e)]
    assert setters == []
    moves = [m for m in s.moves.extra if any("regret_expressed" in str(e.set) for e in m.effects)]
    assert [(m.id, m.actors) for m in moves] == [("express_regret", ["dprk"])]
    assert "hybrid" in s.briefing and "2010" in s.briefing and "2015" in s.briefing


def test_managed_transition_never_has_troops_north_without_a_mandate() -> None:
    """Over 30 computer-played runs of the flagship, a managed transition never ends with
    foreign troops in the North and no UN mandate."""
    world = load_scenario("korea-instability-2012")
    for seed in range(30):
        state = run(world, seed, lean=True).state
        if state.outcome == "managed_transition":
            north = sum(state.values[f"{a}.forces_north"] for a in ("china", "us", "rok"))
            assert north < 1 or state.values["flags.un_mandate"], seed


def _shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    words = re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared source texts are not on this machine")
def test_no_run_of_eight_words_is_copied_from_the_sources() -> None:
    """Sources are paraphrased, never copied: no eight consecutive words of S1 or S2 appear in
    a bundled scenario or profile (the bibliography's titles excepted)."""
    copied = set()
    for f in sorted(SHARED.glob("*.txt")):
        copied |= _shingles(f.read_text(encoding="utf-8"))
    files = [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("actors/*.yaml")]
    hits = {
        f.name: sorted(_shingles(f.read_text()) & copied)[:1]
        for f in files
        if f.name != "sources.yaml" and _shingles(f.read_text()) & copied
    }
    assert hits == {}
