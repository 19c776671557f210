"""Counts a file may not exceed, checked on the parsed document before any model is built.

A file of a million entries is refused by the parser's count (:data:`yamlsrc.MAX_NODES`) before
anything is built; these caps bound what a smaller file can cost later: every list or mapping
holds at most :data:`MAX_ENTRIES` entries, and a scenario at most :data:`MAX_ACTORS` actors (the
engine keeps a trust value per pair of actors, so its state grows with their square).
"""

from __future__ import annotations

from typing import Any

from sim.authoring.problems import Problem
from sim.authoring.yamldoc import Doc, Loc

MAX_ENTRIES = 5_000
"""Most entries of one list or mapping (flags, injects, moves, interests...); the largest
bundled list holds a few hundred."""
MAX_ACTORS = 50
"""Most actors in a scenario (ICONS exercises seat 8 to 15 teams)."""


def entry_problems(doc: Doc) -> list[Problem]:
    """One problem per list or mapping past its limit, at its first entry past it."""
    out: list[Problem] = []
    data = doc.data
    if isinstance(data, dict) and data.get("kind") == "scenario":
        actors = data.get("actors")
        if isinstance(actors, list) and len(actors) > MAX_ACTORS:
            out.append(
                doc.problem(
                    ("actors", MAX_ACTORS),
                    f"{len(actors):,} actors; a scenario has at most {MAX_ACTORS} "
                    "(the state holds a trust value for every pair)",
                )
            )
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            keys = list(value)
            if len(keys) > MAX_ENTRIES:
                out.append(_too_many(doc, (*loc, keys[MAX_ENTRIES]), len(keys), "key"))
                continue
            stack.extend(((*loc, k), value[k]) for k in keys)
        elif isinstance(value, list):
            if len(value) > MAX_ENTRIES:
                out.append(_too_many(doc, (*loc, MAX_ENTRIES), len(value), "item"))
                continue
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
    return out


def _too_many(doc: Doc, loc: Loc, count: int, what: str) -> Problem:
    return doc.problem(
        loc,
        f"{count:,} entries here; a list or mapping holds at most {MAX_ENTRIES:,} "
        f"(this {what} is the first past the limit)",
        at="key" if what == "key" else "value",
    )
