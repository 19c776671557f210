"""The bundled content: source list, actor profiles and the default move catalogue.

These checks are independent of the scenario builder: they validate each file against its strict
model, compile every expression against the shared world's names (built from the starter
scenario, for all six actors the profiles cover), and check the cross-references between files
(citations to sources, red-line responses and favoured moves to the catalogue). The builder's own
checks run too, through ``validate_paths``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sim.authoring.loader import validate_paths
from sim.engine.expr import ExprError, bind, compile_expr
from sim.models import KINDS, ActorProfile, Catalogue, Citation, Scenario, SourceList
from sim.models.moves import MoveType

ROOT = Path(__file__).resolve().parents[2]
ACTORS = ROOT / "actors"
SCENARIOS = ROOT / "scenarios"
PROFILE_IDS = ("us", "china", "rok", "dprk", "japan", "russia")
PRINCIPALS = ("us", "china", "rok", "dprk")
CATEGORIES = {"diplomatic", "information", "economic", "humanitarian", "military", "nuclear"}


def _load(path: Path) -> object:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return KINDS[data["kind"]].model_validate(data)


@pytest.fixture(scope="module")
def sources() -> SourceList:
    model = _load(ACTORS / "sources.yaml")
    assert isinstance(model, SourceList)
    return model


@pytest.fixture(scope="module")
def profiles() -> dict[str, ActorProfile]:
    out = {}
    for aid in PROFILE_IDS:
        model = _load(ACTORS / f"{aid}.yaml")
        assert isinstance(model, ActorProfile)
        out[aid] = model
    return out


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    model = _load(SCENARIOS / "moves.yaml")
    assert isinstance(model, Catalogue)
    return model


class WorldNames:
    """The shared world's state names and ranges, for every actor the profiles cover."""

    def __init__(self, scenario: Scenario) -> None:
        self.actors = sorted({a.id for a in scenario.actors} | set(PROFILE_IDS))
        self.ranges: dict[str, tuple[float, float]] = {}
        for ind in scenario.indicators:
            self.ranges[ind.id] = (ind.min, ind.max)
        for a in self.actors:
            for var in scenario.variables:
                self.ranges[f"{a}.{var.id}"] = (var.min, var.max)
        for a, b in itertools.combinations(self.actors, 2):
            self.ranges[f"trust.{a}.{b}"] = (0.0, 100.0)
        self.flags = {f"flags.{f}" for f in scenario.flags}
        self.names = set(self.ranges) | self.flags | {"round", "t"}

    def check(self, src: str | float | bool, bindings: dict[str, str]) -> None:
        """Compile ``src`` with placeholders bound; raise ExprError on an unknown name."""
        compile_expr(src, lambda n: bind(n, bindings) in self.names)

    def known(self, name: str, bindings: dict[str, str]) -> bool:
        return bind(name, bindings) in self.names


@pytest.fixture(scope="module")
def world() -> WorldNames:
    model = _load(SCENARIOS / "korea-instability-2012.yaml")
    assert isinstance(model, Scenario)
    return WorldNames(model)


def _users(move: MoveType) -> list[str]:
    return list(PROFILE_IDS) if move.actors == "all" else list(move.actors)


def _bindings(move: MoveType) -> Iterator[dict[str, str]]:
    """Every (self, target) binding under which the move may be used."""
    for actor in _users(move):
        if move.target == "none":
            yield {"self": actor}
            continue
        for target in move.targets or PROFILE_IDS:
            if target != actor:
                yield {"self": actor, "target": target}


def _profile_citations(p: ActorProfile) -> Iterator[tuple[str, Citation]]:
    for i in p.interests:
        for c in i.cite:
            yield f"interest {i.id}", c
    for r in p.red_lines:
        for c in r.cite:
            yield f"red line {r.id}", c
    if p.instruments:
        for c in p.instruments.cite:
            yield "instruments", c
    for c in p.tendencies.cite:
        yield "tendencies", c
    for f in p.factions:
        for c in f.cite:
            yield f"faction {f.id}", c


# -- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        *((ACTORS / f"{a}.yaml", "actor") for a in PROFILE_IDS),
        (ACTORS / "sources.yaml", "sources"),
        (SCENARIOS / "moves.yaml", "catalogue"),
    ],
)
def test_files_start_with_schema_comment(path: Path, schema: str) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../schema/{schema}.schema.json"


def test_builder_finds_no_problems() -> None:
    """The loader and scenario builder accept every content file without errors or warnings."""
    paths = [
        *(ACTORS / f"{a}.yaml" for a in PROFILE_IDS),
        ACTORS / "sources.yaml",
        SCENARIOS / "moves.yaml",
        SCENARIOS / "korea-instability-2012.yaml",
    ]
    problems = validate_paths(paths)
    assert not problems, "\n".join(p.format() for p in problems)


# -- sources and citations -----------------------------------------------------------------------


def test_sources_cover_the_domain_key(sources: SourceList) -> None:
    keys = [s.key for s in sources.sources]
    assert len(keys) == len(set(keys))
    assert set(keys) == {"S1", "S2", *(f"E{i}" for i in range(1, 32))}  # E29-E31: 2012-13 records
    by_key = {s.key: s for s in sources.sources}
    assert by_key["S1"].reliability == by_key["S2"].reliability == "primary"
    assert by_key["E27"].reliability == by_key["E28"].reliability == "low"


def test_every_bundled_source_gives_its_year(sources: SourceList) -> None:
    """Optional for authors' own lists; the bundled list dates every source, and marks those
    written after the 2012-13 setting as later evidence."""
    assert [s.key for s in sources.sources if s.year is None] == []
    assert [s.key for s in sources.sources if s.year and s.year > 2013 and not s.later] == []


def test_every_citation_names_a_known_source(
    sources: SourceList, profiles: dict[str, ActorProfile], catalogue: Catalogue
) -> None:
    keys = {s.key for s in sources.sources}
    cited = [
        (f"{aid}: {where}", c) for aid, p in profiles.items() for where, c in _profile_citations(p)
    ]
    cited += [(f"move {m.id}", c) for m in catalogue.moves for c in m.cite]
    bad = [f"{where}: {c.source}" for where, c in cited if c.source not in keys]
    assert not bad


def test_citation_basis_matches_source_kind(
    profiles: dict[str, ActorProfile], catalogue: Catalogue
) -> None:
    """S1/S2 are documented (or an assumption anchored on them), never 'reported'; E-sources
    were seen through reporting, so never 'documented'."""
    cited = [c for p in profiles.values() for _w, c in _profile_citations(p)]
    cited += [c for m in catalogue.moves for c in m.cite]
    for c in cited:
        if c.source in ("S1", "S2"):
            assert c.basis in ("documented", "assumption"), c
        elif c.source != "E24":
            assert c.basis in ("reported", "assumption"), c
        assert c.note, f"citation of {c.source} without a note"


def test_every_profile_element_is_cited(profiles: dict[str, ActorProfile]) -> None:
    for p in profiles.values():
        for i in p.interests:
            assert i.cite, (p.id, i.id)
        for r in p.red_lines:
            assert r.cite, (p.id, r.id)
        for f in p.factions:
            assert f.cite, (p.id, f.id)
        assert p.tendencies.cite, p.id
        assert p.instruments is not None and p.instruments.cite, p.id


# -- profiles ------------------------------------------------------------------------------------


def test_profiles_are_complete(profiles: dict[str, ActorProfile]) -> None:
    for aid, p in profiles.items():
        assert p.id == aid
        assert p.summary and p.interests and p.red_lines and p.instruments
        assert 1 <= len(p.messages) <= 3, aid
        assert p.factions, aid
        ids = [i.id for i in p.interests]
        assert len(ids) == len(set(ids)), aid
        for f in p.factions:
            assert set(f.interests) <= set(ids), (aid, f.id)


def test_profile_expressions_compile(profiles: dict[str, ActorProfile], world: WorldNames) -> None:
    for aid, p in profiles.items():
        b = {"self": aid}
        exprs = [r.when for r in p.red_lines] + [m.when for m in p.messages]
        exprs += [s.when for f in p.factions for s in f.shifts]
        for src in exprs:
            world.check(src, b)
        for i in p.interests:
            for w in i.wants:
                assert world.known(w.indicator, b), (aid, i.id, w.indicator)
        for r in p.red_lines:
            assert r.target is None or (r.target in PROFILE_IDS and r.target != aid)
        for m in p.messages:
            assert m.to == "public" or set(m.to) <= set(PROFILE_IDS) - {aid}


def test_responses_and_favoured_moves_exist_and_are_usable(
    profiles: dict[str, ActorProfile], catalogue: Catalogue
) -> None:
    moves = {m.id: m for m in catalogue.moves}
    for aid, p in profiles.items():
        assert p.instruments is not None
        named = [*p.instruments.moves, *(m for r in p.red_lines for m in r.response)]
        for mid in named:
            assert mid in moves, (aid, mid)
            assert aid in _users(moves[mid]), f"{aid} may not use {mid}"
        for r in p.red_lines:
            if r.target is not None:
                # The named target must be a legal target of at least one targeted response.
                targeted = [moves[m] for m in r.response if moves[m].target == "actor"]
                assert any(m.targets is None or r.target in m.targets for m in targeted), r.id


def test_escalation_tendencies_are_ordered(profiles: dict[str, ActorProfile]) -> None:
    esc = {a: profiles[a].tendencies.escalation for a in PRINCIPALS}
    assert esc["dprk"] == max(esc.values())
    assert esc["dprk"] > max(esc[a] for a in ("us", "rok", "china"))
    assert esc["china"] == min(esc.values())


def test_china_models_the_disputed_ranking(profiles: dict[str, ActorProfile]) -> None:
    """Two factions weight border stability and 'no nukes' in opposite orders, and events shift
    them: a test or loose material strengthens one, a refugee surge the other."""
    china = profiles["china"]
    ids = {i.id for i in china.interests}
    assert {"border_stability", "no_nukes"} <= ids
    stability_first = [
        f
        for f in china.factions
        if f.interests.get("border_stability", 1) > f.interests.get("no_nukes", 1)
    ]
    nukes_first = [
        f
        for f in china.factions
        if f.interests.get("no_nukes", 1) > f.interests.get("border_stability", 1)
    ]
    assert stability_first and nukes_first
    assert any("refugee_flow" in s.when and s.by > 0 for f in stability_first for s in f.shifts)
    assert any("nuclear_test" in s.when and s.by > 0 for f in nukes_first for s in f.shifts)
    assert any("nuclear_security" in s.when and s.by > 0 for f in nukes_first for s in f.shifts)
    # Not a tool for regime change: a red line against it, and no regime-ending moves favoured.
    assert any("regime" in r.id for r in china.red_lines)


# -- catalogue -----------------------------------------------------------------------------------


def test_catalogue_breadth(catalogue: Catalogue) -> None:
    moves = catalogue.moves
    assert catalogue.id == "default"
    assert len(moves) >= 40
    ids = [m.id for m in moves]
    assert len(ids) == len(set(ids))
    assert {m.category for m in moves} == CATEGORIES
    assert {m.escalation for m in moves} == set(range(11))
    counts = Counter(m.category for m in moves)
    assert min(counts.values()) >= 3, counts
    by_id = {m.id: m for m in moves}
    wait = by_id["wait"]
    assert wait.escalation == 0 and wait.actors == "all" and not wait.effects
    assert by_id["hotline_call"].target == "actor"


def test_catalogue_actor_restrictions(catalogue: Catalogue) -> None:
    by_id = {m.id: m for m in catalogue.moves}
    assert by_id["nuclear_test"].actors == ["dprk"]
    assert by_id["open_refugee_camps"].actors == ["china"]
    assert by_id["seal_border"].actors == ["china"]
    assert set(by_id["close_kaesong"].actors) == {"rok", "dprk"}
    for m in catalogue.moves:
        assert set(_users(m)) <= set(PROFILE_IDS), m.id
        if m.targets is not None:
            assert set(m.targets) <= set(PROFILE_IDS), m.id


def test_catalogue_expressions_compile_for_every_user(
    catalogue: Catalogue, world: WorldNames
) -> None:
    """Every requires/chance/detection/amount compiles, and every effect names a state value,
    with ``self`` and ``target`` bound to each actor that may use the move."""
    for m in catalogue.moves:
        for b in _bindings(m):
            for src in (m.requires, m.chance, m.detection):
                if src is not None:
                    try:
                        world.check(src, b)
                    except ExprError as exc:
                        pytest.fail(f"{m.id} as {b}: {exc.message}")
            for eff in (*m.effects, *m.on_failure):
                assert world.known(eff.name, b), (m.id, b, eff.name)
                amount = eff.by if eff.change is not None else eff.to
                assert amount is not None
                world.check(amount, b)


def test_catalogue_effects_fit_the_world(catalogue: Catalogue, world: WorldNames) -> None:
    """Flags are set to booleans, numbers stay within their ranges, and no constant change is
    bigger than a major move (60 points) or than its value's range."""
    for m in catalogue.moves:
        for eff in (*m.effects, *m.on_failure):
            if eff.name.startswith("flags."):
                assert eff.set is not None and isinstance(eff.to, bool), (m.id, eff.name)
                continue
            name = bind(eff.name, {"self": "us", "target": "china"})
            lo, hi = world.ranges[name]
            if eff.change is not None and isinstance(eff.by, int | float):
                assert abs(eff.by) <= min(60, hi - lo), (m.id, eff.name, eff.by)
            if eff.set is not None and isinstance(eff.to, int | float):
                assert lo <= eff.to <= hi, (m.id, eff.name)


def test_catalogue_timing_and_risk(catalogue: Catalogue) -> None:
    for m in catalogue.moves:
        if isinstance(m.chance, float | int):
            assert 0 <= m.chance <= 1, m.id
        if m.visibility == "secret":
            assert isinstance(m.detection, float | int) and 0.2 <= m.detection <= 0.6, m.id
        if m.escalation >= 7 and m.category != "nuclear":
            assert m.tags, f"{m.id}: forceful moves carry tags agreements can forbid"
        if m.target == "none":
            assert not any("target" in e.name.split(".") for e in (*m.effects, *m.on_failure))


def test_commitment_tags_are_present(catalogue: Catalogue) -> None:
    tags = {t for m in catalogue.moves for t in m.tags}
    assert {
        "forces_north",
        "nuclear_test",
        "missile_test",
        "strike",
        "border_closure",
        "sanctions",
    } <= tags
