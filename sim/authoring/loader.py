"""Load sitroom YAML files into models, collecting every problem with its position.

One file: :func:`check_file` reads it, picks the model by its ``kind:`` and reports everything wrong
with it in one pass. A scenario also needs its actor profiles and move catalogues; those are found
beside the scenario file first, then among the bundled ones, and problems are reported in the file
they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from sim.authoring import library as registry
from sim.authoring.computable import requires_problems
from sim.authoring.deadcontent import constant_chances, scenario_problems, unknown_sources
from sim.authoring.exprcheck import expression_syntax
from sim.authoring.limits import entry_problems
from sim.authoring.modelerrors import problems_from
from sim.authoring.problems import Problem, UserError, has_errors
from sim.authoring.yamldoc import Doc, Loc
from sim.authoring.yamlsrc import parse, read_text
from sim.engine.build import build
from sim.engine.expr import SCENARIO_FILE, suggest
from sim.engine.world import World
from sim.models import KINDS, ActorProfile, Catalogue, MoveType, Scenario, Script, Strict


@dataclass(frozen=True)
class Checked:
    """The outcome of checking one file: the model if it is valid, and every problem found."""

    path: str
    doc: Doc | None
    model: Strict | None
    problems: tuple[Problem, ...]


def check_text(text: str, path: str) -> Checked:
    """Check YAML text as if it were the file ``path``; never raises for bad input."""
    try:
        doc = parse(text, path)
    except UserError as exc:
        return Checked(path, None, None, exc.problems)
    problems = list(doc.problems)
    too_many = entry_problems(doc)
    if too_many:  # refused before any model is built (bounded time and memory)
        return Checked(path, doc, None, tuple(problems + too_many))
    model_cls = _kind(doc, problems)
    model: Strict | None = None
    if model_cls is not None:
        try:
            model = model_cls.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(problems_from(exc, doc, model_cls))
    if model is not None and not isinstance(model, Scenario):
        # Profiles and catalogues are shared: check expression syntax here, where the file is
        # named, rather than let a scenario quietly leave the item out. Scenarios get the full
        # check (names too) from sim.world.build.
        problems.extend(expression_syntax(model, doc))
        if isinstance(model, Catalogue):
            problems.extend(constant_chances(model.moves, doc, ("moves",)))
        problems.extend(unknown_sources(model, doc))
    if has_errors(problems):
        model = None
    problems.sort(key=lambda p: (p.line, p.col))
    return Checked(path, doc, model, tuple(problems))


def check_file(path: str | Path) -> Checked:
    """Check one file on disk; never raises for bad input."""
    shown = str(path)
    try:
        text = read_text(path, shown)
    except UserError as exc:
        return Checked(shown, None, None, exc.problems)
    return check_text(text, shown)


def load_file(path: str | Path, expect: str | None = None) -> tuple[Strict, Doc]:
    """The validated model and the document of one file; raises :class:`UserError` if invalid.

    With ``expect`` (a kind such as ``"script"``), a valid file of another kind is an error too.
    """
    checked = check_file(path)
    if checked.model is None or checked.doc is None:
        raise UserError(checked.problems)
    if expect is not None and checked.doc.data.get("kind") != expect:
        raise UserError([_wrong_kind(checked.doc, expect)])
    return checked.model, checked.doc


def _wrong_kind(doc: Doc, expect: str) -> Problem:
    return doc.problem(
        ("kind",), f"expected a file of kind '{expect}' here, found '{doc.data.get('kind')}'"
    )


def _kind(doc: Doc, problems: list[Problem]) -> type[Strict] | None:
    kinds = ", ".join(sorted(KINDS))
    kind = doc.data.get("kind")
    if "kind" not in doc.data:
        problems.append(
            doc.problem((), f"missing 'kind:' at the top of the file; it is one of: {kinds}")
        )
        return None
    if ("kind",) in doc.poisoned:
        return None
    if not isinstance(kind, str) or kind not in KINDS:
        hint = suggest(str(kind), KINDS) or f" (kinds: {kinds})"
        problems.append(doc.problem(("kind",), f"unknown kind '{kind}'{hint}"))
        return None
    return KINDS[kind]


@dataclass
class Bundle:
    """A scenario with the profiles and catalogues it uses, each with its document."""

    scenario: Scenario
    doc: Doc
    profiles: dict[str, tuple[ActorProfile, Doc]] = field(default_factory=dict)
    catalogues: dict[str, tuple[Catalogue, Doc]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    reported: set[Loc] = field(default_factory=set)
    """Scenario locations whose profile or catalogue could not be used; problems were reported."""


def gather(scenario: Scenario, doc: Doc) -> Bundle:
    """Find and check every profile and catalogue ``scenario`` uses.

    Files beside the scenario win over bundled ones, so an author can override a bundled actor by
    dropping ``china.yaml`` next to the scenario.
    """
    bundle = Bundle(scenario, doc)
    here = Path(doc.path).parent
    for i, actor in enumerate(scenario.actors):
        pid = actor.profile or actor.id
        if pid in bundle.profiles:
            continue
        at = ("actors", i, "profile" if actor.profile else "id")
        local = here / f"{pid}.yaml"
        path = local if local.is_file() else _shown(registry.actor_path(pid))
        if path is None:
            hint = suggest(pid, {*registry.actor_ids(), *_local_ids(here, "actor")})
            bundle.problems.append(
                doc.problem(
                    at,
                    f"unknown actor '{pid}': no {pid}.yaml beside "
                    f"the scenario and no bundled profile{hint}",
                )
            )
            bundle.reported.add(at)
            continue
        loaded = _dependency(path, ActorProfile, pid, bundle.problems)
        if loaded is None:
            bundle.reported.add(at)
        else:
            bundle.profiles[pid] = loaded
    local_catalogues = registry.catalogue_paths(here)
    for i, cid in enumerate(scenario.moves.include):
        path = local_catalogues.get(cid) or _shown(registry.catalogue_path(cid))
        if path is None:
            hint = suggest(cid, {*registry.catalogue_ids(), *local_catalogues})
            bundle.problems.append(
                doc.problem(("moves", "include", i), f"unknown move catalogue '{cid}'{hint}")
            )
            bundle.reported.add(("moves", "include", i))
            continue
        cat = _dependency(path, Catalogue, cid, bundle.problems)
        if cat is None:
            bundle.reported.add(("moves", "include", i))
        else:
            bundle.catalogues[cid] = cat
    return bundle


def _shown(path: Path | None) -> Path | None:
    """A bundled file's path relative to the working directory when it lies below it (shorter
    messages from a checkout); otherwise as it is."""
    if path is None or not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _local_ids(here: Path, kind: str) -> set[str]:
    return {p.stem for p in here.glob("*.yaml") if registry.sniff_kind(p) == kind}


_M = TypeVar("_M", bound=Strict)
_KIND_OF = {model: kind for kind, model in KINDS.items()}


def _dependency(
    path: Path, model: type[_M], want_id: str, problems: list[Problem]
) -> tuple[_M, Doc] | None:
    checked = check_file(path)
    problems.extend(checked.problems)
    if checked.model is None or checked.doc is None:
        return None
    if not isinstance(checked.model, model):
        problems.append(_wrong_kind(checked.doc, _KIND_OF[model]))
        return None
    got = getattr(checked.model, "id", want_id)
    if got != want_id:
        problems.append(
            checked.doc.problem(("id",), f"this file is used as '{want_id}' but its id is '{got}'")
        )
        return None
    return checked.model, checked.doc


def build_bundle(bundle: Bundle) -> tuple[World | None, list[Problem]]:
    """Compile a gathered scenario; problems include the gathering ones, each in its own file."""
    profiles = {pid: model for pid, (model, _) in bundle.profiles.items()}
    catalogues = {cid: model for cid, (model, _) in bundle.catalogues.items()}
    docs = {"scenario": bundle.doc}
    docs.update({f"actor:{pid}": doc for pid, (_, doc) in bundle.profiles.items()})
    docs.update({f"catalogue:{cid}": doc for cid, (_, doc) in bundle.catalogues.items()})
    world, issues = build(bundle.scenario, profiles, catalogues)
    problems = list(bundle.problems)
    # Without one of its catalogues, the scenario's excludes and the profiles' favoured moves
    # name moves that are merely missing: one error at the include says it all.
    broken_include = any(loc[:2] == ("moves", "include") for loc in bundle.reported)
    for issue in issues:
        if issue.origin == "scenario" and issue.loc in bundle.reported:
            continue  # already explained (missing or broken profile/catalogue file)
        if broken_include and (
            issue.loc[:2] == ("moves", "exclude")
            or (issue.origin.startswith("actor:") and issue.severity == "warning")
        ):
            continue
        doc = docs.get(issue.origin)
        if doc is None:  # cannot happen with sim.engine.world's origins; keep the message anyway
            problems.append(
                Problem(bundle.doc.path, 0, 0, f"{issue.origin}: {issue.message}", issue.severity)
            )
            continue
        problems.append(
            doc.problem(issue.loc, issue.message, offset=issue.offset, severity=issue.severity)
        )
    if world is not None and not has_errors(problems):
        problems.extend(requires_problems(world, _requires_places(bundle, world)))
    problems.extend(
        scenario_problems(bundle.scenario, bundle.doc, None if has_errors(problems) else world)
    )
    if world is not None:
        world.memo[SCENARIO_FILE] = bundle.doc.path  # for run-time errors' positions
    return (None if has_errors(problems) else world), problems


def _requires_places(bundle: Bundle, world: World) -> list[tuple[Doc, Loc, MoveType]]:
    """Each move in play with the document and path of its ``requires`` (the scenario's own
    moves first, as they replace catalogue moves of the same id; then the first catalogue
    defining it, as the build takes)."""
    out: list[tuple[Doc, Loc, MoveType]] = []
    placed: set[str] = set()
    for i, mt in enumerate(bundle.scenario.moves.extra):
        if mt.id in world.moves and mt.id not in placed:
            out.append((bundle.doc, ("moves", "extra", i, "requires"), mt))
            placed.add(mt.id)
    for cid in bundle.scenario.moves.include:
        if cid not in bundle.catalogues:
            continue
        cat, doc = bundle.catalogues[cid]
        for j, mt in enumerate(cat.moves):
            if mt.id in world.moves and mt.id not in placed:
                out.append((doc, ("moves", j, "requires"), mt))
                placed.add(mt.id)
    return out


def validate_paths(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in the given files and in the files their scenarios use.

    No duplicates; grouped by file in the order first met, sorted by position within a file.
    """
    found: dict[Problem, None] = {}
    worlds: dict[str, World] = {}
    scripts: list[tuple[Path, Script, Doc]] = []
    for path in paths:
        checked = check_file(path)
        found.update(dict.fromkeys(checked.problems))
        if isinstance(checked.model, Scenario) and checked.doc is not None:
            world, problems = build_bundle(gather(checked.model, checked.doc))
            found.update(dict.fromkeys(problems))
            if world is not None:
                worlds.setdefault(world.id, world)
        elif isinstance(checked.model, Script) and checked.doc is not None:
            scripts.append((Path(path), checked.model, checked.doc))
    for path, script, doc in scripts:  # after the scenarios, which they may name
        found.update(dict.fromkeys(_script_problems(path, script, doc, worlds)))
    order = {path: i for i, path in enumerate(dict.fromkeys(p.path for p in found))}
    return sorted(found, key=lambda p: (order[p.path], p.line, p.col))


def _script_problems(
    path: Path, script: Script, doc: Doc, worlds: dict[str, World]
) -> list[Problem]:
    """A script's orders checked against the scenario it names, as ``sitroom run`` checks them.

    The scenario is one validated in the same call, else ``ID.yaml`` beside the script, else a
    bundled one; a script naming none of these gets a warning, not silence.
    """
    from sim.authoring.scripts import script_problems

    sid = script.scenario
    if sid is None:
        return []
    world = worlds.get(sid)
    if world is None:
        beside = path.parent / f"{sid}.yaml"
        where = beside if beside.is_file() else registry.scenario_path(sid)
        if where is not None:
            checked = check_file(where)
            if isinstance(checked.model, Scenario) and checked.doc is not None:
                world, _ = build_bundle(gather(checked.model, checked.doc))
            if world is None:
                return [
                    doc.problem(
                        ("scenario",),
                        f"scenario '{sid}' ({_shown(where)}) has "
                        "errors, so the orders were not checked against it; "
                        f"run `sitroom validate {_shown(where)}`",
                        severity="warning",
                    )
                ]
            worlds[sid] = world
    if world is None:
        return [
            doc.problem(
                ("scenario",),
                f"no scenario '{sid}' among the files checked, "
                "beside the script or bundled: its orders were not checked "
                "(validate the script together with its scenario file)"
                f"{suggest(sid, registry.scenario_ids())}",
                severity="warning",
            )
        ]
    return script_problems(world, script, doc)


def resolve_scenario(ref: str | Path) -> Path:
    """The file of a bundled scenario id, or ``ref`` itself if it is a path."""
    text = str(ref)
    if isinstance(ref, Path) or text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        return Path(ref)
    shown = _shown(registry.lookup_scenario(text))
    assert shown is not None
    return shown


def load_scenario(ref: str | Path) -> World:
    """Load, check and build a scenario (a bundled id or a path) with everything it uses.

    Raises :class:`UserError` carrying every problem found, in every file involved.
    """
    from sim.authoring import worldcache

    path = resolve_scenario(ref)
    cached, want = worldcache.get(path)
    if cached is not None:
        return cached
    model, doc = load_file(path, expect="scenario")
    assert isinstance(model, Scenario)
    world, problems = build_bundle(gather(model, doc))
    if world is None:
        raise UserError(problems)
    if want is not None:
        worldcache.put(path, want, world)
    return world


def bundled_catalogues() -> dict[str, Catalogue]:
    """Every bundled move catalogue by id; :class:`UserError` if one is invalid."""
    out: dict[str, Catalogue] = {}
    for cid in registry.catalogue_ids():
        path = registry.catalogue_path(cid)
        assert path is not None
        model, _ = load_file(path, expect="catalogue")
        assert isinstance(model, Catalogue)
        out[cid] = model
    return out
