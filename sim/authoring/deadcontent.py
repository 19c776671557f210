"""Content that loads but can never matter: told to the author with its position.

An inject scheduled after the clock runs out, ``chance: 70`` meant as 70%, a citation of a
source that does not exist, a move no actor of the scenario may use, a trigger whose condition
no state within the declared ranges can satisfy. Each is valid YAML of the right shape, so the
models accept it; these checks read the scenario (and, when it built, the world) and say why it
is dead and what to write instead.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.authoring.expectations import expectation_problems
from sim.authoring.problems import Problem
from sim.authoring.ranges import EITHER, Abstract, Num, Truth, evaluate, names_in
from sim.authoring.yamldoc import Doc, Loc
from sim.engine.expr import PLACEHOLDERS, canonical_name, suggest
from sim.engine.world import World
from sim.models import Citation, MoveType, Scenario, SourceList

# -- chances -------------------------------------------------------------------------------------


def constant_chances(moves: Sequence[MoveType], doc: Doc, loc: Loc) -> list[Problem]:
    """A number outside 0..1 as a move's chance or detection is an error (``70`` meant 70%)."""
    out = []
    for i, mt in enumerate(moves):
        for key in ("chance", "detection"):
            value = getattr(mt, key)
            number = _constant(value)
            if number is None or 0 <= number <= 1:
                continue
            hint = f"; for {number:g}% write {number / 100:g}" if 1 < number <= 100 else ""
            out.append(
                doc.problem(
                    (*loc, i, key),
                    f"a {key} is a probability from 0 to 1, not {number:g}{hint}",
                )
            )
    return out


def _constant(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def override_weights(scenario: Scenario, doc: Doc) -> list[Problem]:
    """A participant's faction or interest weight outside 0..1 is an error: the profile's own
    weights are held to 0..1, and a faction's influence is a share (shifts clamp it there)."""
    out = []
    for i, p in enumerate(scenario.actors):
        for field, what in (("factions", "faction"), ("interests", "interest")):
            for key, weight in getattr(p.overrides, field).items():
                if not 0 <= weight <= 1:
                    out.append(
                        doc.problem(
                            ("actors", i, "overrides", field, key),
                            f"{what} '{key}' of {p.id}: weight {weight:g} is outside 0..1; "
                            "write a weight from 0 to 1",
                        )
                    )
    return out


# -- sources -------------------------------------------------------------------------------------


def _citations(value: Any, loc: Loc) -> Iterator[tuple[Loc, Citation]]:
    if isinstance(value, Citation):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _citations(getattr(value, name), (*loc, name))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _citations(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _citations(item, (*loc, key))


def source_keys(path: str | Path) -> tuple[set[str], str] | None:
    """The citable keys for a file: ``sources.yaml`` beside it, else the bundled list.

    None when no list can be read (then citations are not checked rather than all flagged).
    """
    from importlib import resources

    beside = Path(path).parent / "sources.yaml"
    bundled = Path(str(resources.files("actors").joinpath("sources.yaml")))
    keys: set[str] = set()
    where = ""
    for candidate in dict.fromkeys((beside.resolve(), bundled.resolve())):
        listed = _keys_in(str(candidate))
        if listed is not None:
            keys |= listed
            where = where or candidate.name
    return (keys, where) if where else None


@functools.cache
def _keys_in(path: str) -> frozenset[str] | None:
    """The keys of one source list (read once per process: every profile cites it)."""
    from sim.authoring.loader import check_file

    if not Path(path).is_file():
        return None
    checked = check_file(path)
    if not isinstance(checked.model, SourceList):
        return None
    return frozenset(s.key for s in checked.model.sources)


def unknown_sources(model: BaseModel, doc: Doc) -> list[Problem]:
    """A citation of a key that no source list holds is an error."""
    found = list(_citations(model, ()))
    if not found:
        return []
    known = source_keys(doc.path)
    if known is None:
        return []
    keys, where = known
    return [
        doc.problem(
            (*loc, "source"),
            f"unknown source '{c.source}'{suggest(c.source, keys)} "
            f"(the citable sources are in {where}; `sitroom sources` lists them)",
        )
        for loc, c in found
        if c.source not in keys
    ]


# -- the scenario --------------------------------------------------------------------------------


def scenario_problems(scenario: Scenario, doc: Doc, world: World | None) -> list[Problem]:
    """Dead content of a scenario: injects off the clock, chances and override weights out of
    range, unusable moves, conditions that can never hold. ``world`` (None if the scenario has
    errors) gives the ranges."""
    clock = scenario.clock
    end = clock.rounds * clock.round_hours
    out: list[Problem] = []
    for i, inj in enumerate(scenario.injects):
        if inj.at > end:
            out.append(
                doc.problem(
                    ("injects", i, "at"),
                    f"inject '{inj.id}' at {inj.at:g} h is never delivered: the clock ends at "
                    f"{end:g} h ({clock.rounds} rounds of {clock.round_hours:g} h); "
                    f"use a time from 0 to {end - clock.round_hours:g}",
                )
            )
        elif inj.at == end and end > 0:
            out.append(
                doc.problem(
                    ("injects", i, "at"),
                    f"inject '{inj.id}' arrives as the clock runs out ({end:g} h): no seat can "
                    "respond to it",
                    severity="warning",
                )
            )
    extra = scenario.moves.extra
    out.extend(constant_chances(extra, doc, ("moves", "extra")))
    out.extend(override_weights(scenario, doc))
    out.extend(unknown_sources(scenario, doc))
    out.extend(expectation_problems(scenario, doc))
    actors = {p.id for p in scenario.actors}
    for i, mt in enumerate(extra):
        if mt.actors != "all" and not actors.intersection(mt.actors):
            out.append(
                doc.problem(
                    ("moves", "extra", i, "actors"),
                    f"no actor of this scenario can use move '{mt.id}' "
                    f"(it names {', '.join(mt.actors)}; "
                    f"the actors are {', '.join(sorted(actors))})",
                    severity="warning",
                )
            )
        elif (
            world is not None
            and mt.id in world.moves
            and not any(mt.id in world.usable[a] for a in world.actors)
        ):
            out.append(
                doc.problem(
                    ("moves", "extra", i, "id"),
                    f"no actor of this scenario can use move '{mt.id}': it needs state "
                    "or targets that no actor has",
                    severity="warning",
                )
            )
    if world is not None:
        out.extend(_never_true(scenario, doc, world))
        out.extend(_chance_formulas(extra, doc, world))
    return out


def lookup_for(world: World) -> Any:
    """The abstract value of a state name in ``world``; placeholders take any actor's range."""
    variables = {v.id: (v.min, v.max) for v in world.scenario.variables}

    def lookup(dotted: str) -> Abstract:
        segs = dotted.split(".")
        if segs[0] == "flags":
            return EITHER
        if segs[0] == "round":
            return Num(1, world.scenario.clock.rounds + 1)  # rounds + 1 once the clock is out
        if segs[0] == "t":
            clock = world.scenario.clock
            return Num(0, clock.rounds * clock.round_hours)
        if any(s in PLACEHOLDERS for s in segs):
            if segs[0] == "trust":
                return Num(0, 100)
            if len(segs) == 2 and segs[1] in variables:
                return Num(*variables[segs[1]])
            return Num(-math.inf, math.inf)
        rng = world.ranges.get(canonical_name(dotted))
        return Num(-math.inf, math.inf) if rng is None else Num(*rng)

    return lookup


def ranges_of(source: str, lookup: Any) -> str:
    """The declared ranges of the first names ``source`` reads, for a message."""
    parts = []
    for name in names_in(source)[:3]:
        v = lookup(name)
        if isinstance(v, Num) and math.isfinite(v.lo) and math.isfinite(v.hi):
            parts.append(f"{name} is {v.lo:g}..{v.hi:g}")
    return f" ({'; '.join(parts)})" if parts else ""


def _never_true(scenario: Scenario, doc: Doc, world: World) -> list[Problem]:
    lookup = lookup_for(world)
    items: list[tuple[Loc, str, str]] = [
        (("triggers", i, "when"), f"trigger '{t.id}'", t.when)
        for i, t in enumerate(scenario.triggers)
    ]
    items += [
        (("end_conditions", i, "when"), f"end condition '{e.id}'", e.when)
        for i, e in enumerate(scenario.end_conditions)
    ]
    items += [
        (("moves", "extra", i, "requires"), f"the requires of move '{mt.id}'", mt.requires)
        for i, mt in enumerate(scenario.moves.extra)
        if mt.requires is not None
    ]
    items += [
        (("objectives", i, "measure"), f"objective '{o.id}'", o.measure)
        for i, o in enumerate(scenario.objectives)
        if o.measure is not None
    ]
    out = []
    for loc, what, source in items:
        value = evaluate(source, lookup)
        truth = value if isinstance(value, Truth) else None
        if truth is not None and not truth.can_true:
            out.append(
                doc.problem(
                    loc,
                    f"{what} can never be true on the declared ranges"
                    f"{ranges_of(source, lookup)}: check the numbers and the comparison",
                    severity="warning",
                )
            )
    return out


def _chance_formulas(moves: Sequence[MoveType], doc: Doc, world: World) -> list[Problem]:
    lookup = lookup_for(world)
    out = []
    for i, mt in enumerate(moves):
        for key in ("chance", "detection"):
            source = getattr(mt, key)
            if not isinstance(source, str) or _constant(source) is not None:
                continue
            value = evaluate(source, lookup)
            if not isinstance(value, Num) or not (
                math.isfinite(value.lo) and math.isfinite(value.hi)
            ):
                continue
            if value.lo < 0 or value.hi > 1:
                out.append(
                    doc.problem(
                        ("moves", "extra", i, key),
                        f"this {key} can reach {value.lo:g}..{value.hi:g} on the declared "
                        f"ranges{ranges_of(source, lookup)}; values outside 0..1 are clamped "
                        "(wrap it in clamp(..., 0, 1) if that is meant)",
                        severity="warning",
                    )
                )
    return out
