"""Run-time errors of a scenario located in its files: a :class:`~sim.engine.expr.NonFinite`
(an expression that computed NaN or an infinity while the engine ran) becomes a problem at the
file, line and column of that expression.

Only called once the engine has stopped on one, so it may read the files again: the engine keeps
no positions (it evaluates millions of expressions a run and needs none of them until then).
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.authoring.problems import UserError
from sim.authoring.yamldoc import Doc, Loc
from sim.engine.expr import NonFinite
from sim.models import Catalogue, Effect, Scenario

_FIX = (
    "no state can hold that, so the run stopped here; keep the expression a finite number "
    "(bound a growing product with min() or clamp(), guard a division by a tiny value)"
)


def runtime_error(exc: NonFinite) -> UserError:
    """The problem ``exc`` reports, at its expression's position when the files still say where
    it is; else one line naming the expression."""
    loaded = _scenario(exc.scenario_file) if exc.scenario_file is not None else None
    found = None if loaded is None else _locate(exc, *loaded)
    when = f"round {exc.round}"
    if loaded is not None and exc.round > loaded[0].clock.rounds:
        # The clock's end conditions are read after the last round closed (the state's round
        # counter has moved on): say so rather than name a round the exercise never had.
        when = f"round {loaded[0].clock.rounds}, when the clock ran out"
    message = f"{when}: {_what(exc.where)} computed a value that is not a finite number: {_FIX}"
    if found is None:
        shown = exc.expression if len(exc.expression) <= 80 else exc.expression[:77] + "..."
        where = f"{exc.scenario_file}: " if exc.scenario_file else ""
        return UserError(f"{where}{message} (expression: {shown})")
    doc, loc = found
    return UserError([doc.problem(loc, message)])


def _what(where: tuple[str, ...]) -> str:
    kind = where[0]
    if kind == "effect":
        return f"the effect on '{where[2]}' of {where[1].replace(':', ' ', 1)}"
    if kind in ("chance", "detection", "requires"):
        return f"the {kind} of move '{where[1]}'"
    if where[1] == "end":
        return f"end condition '{where[2]}'"
    if where[1] == "shift":
        return f"a shift of faction '{where[3]}' of {where[2]}"
    return f"the condition of {where[1]} '{where[2]}'"


def _scenario(path: str) -> tuple[Scenario, Doc] | None:
    from sim.authoring.loader import load_file  # the loader imports this module's peers

    try:
        model, doc = load_file(path, expect="scenario")
    except (UserError, OSError):
        return None  # changed or gone since the run started
    assert isinstance(model, Scenario)
    return model, doc


def _locate(exc: NonFinite, model: Scenario, doc: Doc) -> tuple[Doc, Loc] | None:
    kind, *rest = exc.where
    if kind == "effect":
        source, _name = rest
        tag, _, ident = source.partition(":")
        if tag == "trigger":
            for i, trig in enumerate(model.triggers):
                if trig.id == ident:
                    return _effect(doc, ("triggers", i), trig.effects, exc.expression)
        elif tag == "inject":
            for i, inj in enumerate(model.injects):
                if inj.id == ident:
                    return _effect(doc, ("injects", i), inj.effects, exc.expression)
        elif tag == "move":
            return _move(model, doc, ident, exc.expression, ("effects", "on_failure"))
        return None
    if kind in ("chance", "detection", "requires"):
        return _move(model, doc, rest[0], exc.expression, (kind,))
    if kind == "when" and rest[0] == "shift":
        return _shift(model, doc, rest[1], rest[2], exc.expression)
    if kind == "when":
        what, ident = rest
        key = "triggers" if what == "trigger" else "end_conditions"
        ids = (
            [t.id for t in model.triggers]
            if what == "trigger"
            else [e.id for e in model.end_conditions]
        )
        if ident in ids:
            return doc, (key, ids.index(ident), "when")
    return None


def _shift(
    scenario: Scenario, doc: Doc, actor: str, faction: str, expression: str
) -> tuple[Doc, Loc] | None:
    """The shift of ``faction`` in the profile ``actor`` plays (found as the loader finds it)."""
    from sim.authoring.loader import gather

    pid = next((p.profile or p.id for p in scenario.actors if p.id == actor), None)
    found = gather(scenario, doc).profiles.get(pid or "")
    if found is None:
        return None
    profile, profile_doc = found
    for i, fac in enumerate(profile.factions):
        if fac.id == faction:
            for j, shift in enumerate(fac.shifts):
                if shift.when.strip() == expression.strip():
                    return profile_doc, ("factions", i, "shifts", j, "when")
    return None


def _text(value: object) -> str:
    return str(value).strip().lower() if isinstance(value, bool | int | float) else str(value)


def _effect(
    doc: Doc, at: Loc, effects: Sequence[Effect], expression: str, key: str = "effects"
) -> tuple[Doc, Loc] | None:
    for j, eff in enumerate(effects):
        value = eff.by if eff.change is not None else eff.to
        if _text(value).strip() == expression.strip():
            return doc, (*at, key, j, "by" if eff.change is not None else "to")
    return None


def _move(
    scenario: Scenario, doc: Doc, move_id: str, expression: str, keys: tuple[str, ...]
) -> tuple[Doc, Loc] | None:
    """The expression in move ``move_id`` (scenario extras first, as they override)."""
    from sim.authoring.loader import gather

    places: list[tuple[Doc, Loc, object]] = [
        (doc, ("moves", "extra", j), mt)
        for j, mt in enumerate(scenario.moves.extra)
        if mt.id == move_id
    ]
    bundle = gather(scenario, doc)
    for cat, cat_doc in bundle.catalogues.values():
        assert isinstance(cat, Catalogue)
        places += [
            (cat_doc, ("moves", j), mt) for j, mt in enumerate(cat.moves) if mt.id == move_id
        ]
    for where_doc, at, mt in places:
        for key in keys:
            if key in ("chance", "detection", "requires"):
                if _text(getattr(mt, key)).strip() == expression.strip():
                    return where_doc, (*at, key)
                continue
            hit = _effect(where_doc, at, getattr(mt, key), expression, key)
            if hit is not None:
                return hit
    return None
