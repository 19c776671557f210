"""A scenario compiled against its actor profiles and move catalogues: the engine's input.

``build`` resolves every cross-file reference (actor ids, move ids, indicator names), compiles every
expression once, and reports problems as :class:`BuildIssue` values with the YAML path they belong
to, so the loader can turn them into ``file:line:col`` messages. Moves and profile items from
*shared* files (the bundled catalogue, profiles) that use state a scenario does not define are
dropped with a warning rather than failing: a small scenario may include the default catalogue.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from collections.abc import Callable, Mapping, Sequence

from sim.engine.build_actor import actor_models
from sim.engine.build_issues import BuildFailed, BuildIssue, Loc
from sim.engine.expr import (
    PLACEHOLDERS,
    Expr,
    ExprError,
    Value,
    bind,
    canonical_name,
    compile_expr,
    suggest,
)
from sim.engine.legality import effect_type_problem
from sim.engine.sight import compile_sight, flag_spec
from sim.engine.world import (
    CompiledEffect,
    CompiledEnd,
    CompiledInject,
    CompiledTrigger,
    MoveSpec,
    World,
    bind_all,
    bind_effect,
)
from sim.models import ActorProfile, Catalogue, Effect, MoveType, Scenario

RESERVED = frozenset({"flags", "trust", "round", "t", "self", "target", "true", "false"})


class _Builder:
    def __init__(
        self,
        scenario: Scenario,
        profiles: Mapping[str, ActorProfile],
        catalogues: Mapping[str, Catalogue],
    ) -> None:
        self.sc = scenario
        self.profiles = profiles
        self.catalogues = catalogues
        self.issues: list[BuildIssue] = []
        self.actors = tuple(p.id for p in scenario.actors)
        self.names: set[str] = set()
        self.initial: dict[str, Value] = {}
        self.ranges: dict[str, tuple[float, float]] = {}
        self.flags: set[str] = set()

    # -- reporting -----------------------------------------------------------------------------
    def error(self, origin: str, loc: Loc, message: str, offset: int | None = None) -> None:
        self.issues.append(BuildIssue(origin, loc, message, offset, "error"))

    def warn(self, origin: str, loc: Loc, message: str) -> None:
        self.issues.append(BuildIssue(origin, loc, message, None, "warning"))

    # -- names ---------------------------------------------------------------------------------
    def known_with_placeholders(self, allow: Sequence[str]) -> Callable[[str], bool]:
        """A name check that accepts ``self.x``/``target.x`` when some choice of actors makes
        it a state name (e.g. ``trust.self.dprk`` is fine for every actor but the DPRK; the
        world then leaves the move out for the actors and targets it cannot bind)."""
        pairs = [(a, b) for a in self.actors for b in self.actors if a != b] or [
            (a, a) for a in self.actors
        ]

        def known(name: str) -> bool:
            segs = name.split(".")
            if any(s in PLACEHOLDERS and s not in allow for s in segs):
                return False
            if not any(s in PLACEHOLDERS for s in segs):
                return canonical_name(name) in self.names
            return any(
                bind(name, {k: v for k, v in (("self", a), ("target", b)) if k in allow})
                in self.names
                for a, b in pairs
            )

        return known

    def hints(self, allow: Sequence[str]) -> list[str]:
        extra = []
        for p in allow:
            for v in self.variable_ids:
                extra.append(f"{p}.{v}")
            extra.extend(f"trust.{p}.{a}" for a in self.actors)
        if "self" in allow and "target" in allow:
            extra.append("trust.self.target")
        return sorted(self.names) + extra

    def expr(
        self, origin: str, loc: Loc, source: str | float | bool, allow: Sequence[str] = ()
    ) -> Expr:
        try:
            return compile_expr(source, self.known_with_placeholders(allow), self.hints(allow))
        except ExprError as exc:
            message = exc.message
            if "unknown name" in message and any(
                f"'{p}." in message or f".{p}." in message for p in PLACEHOLDERS if p not in allow
            ):
                message += (
                    " ('target' needs `target: actor`)"
                    if "target" not in allow and "self" in allow
                    else " (self/target are only available in moves and profiles)"
                )
            self.error(origin, loc, message, exc.offset if isinstance(source, str) else None)
            raise BuildFailed from None

    def effect(self, origin: str, loc: Loc, eff: Effect, allow: Sequence[str]) -> CompiledEffect:
        name = eff.name
        key = "change" if eff.change is not None else "set"
        if not self.known_with_placeholders(allow)(name):
            self.error(origin, (*loc, key), self.unknown_name(name, allow), 0)
            raise BuildFailed
        wrong = effect_type_problem(eff, name.startswith("flags."))
        if wrong is not None:
            key, message = wrong
            self.error(origin, (*loc, key), message, 0 if key == "change" else None)
            raise BuildFailed
        if eff.change is not None:
            assert eff.by is not None
            return CompiledEffect(name, "add", self.expr(origin, (*loc, "by"), eff.by, allow))
        assert eff.to is not None
        return CompiledEffect(name, "set", self.expr(origin, (*loc, "to"), eff.to, allow))

    def unknown_name(self, name: str, allow: Sequence[str]) -> str:
        """Why an effect's state name is unknown; a placeholder used where it means nothing is
        explained rather than answered with a guess at a real name."""
        missing = [p for p in PLACEHOLDERS if p in name.split(".") and p not in allow]
        if not missing:
            return f"unknown state name '{name}'{suggest(name, self.hints(allow))}"
        if allow:  # a move without `target: actor`
            return (
                f"'{name}': 'target' means the actor a move is aimed at; "
                "set `target: actor` on the move to use it"
            )
        example = bind(name, {"self": self.actors[0], "target": self.actors[-1]})
        meaning = "making" if missing[0] == "self" else "aimed at by"
        return (
            f"'{name}': '{missing[0]}' means the actor {meaning} a move, so it exists only in "
            f"moves and profiles; in an inject or trigger name the actor (e.g. '{example}')"
        )

    def effects(
        self, origin: str, loc: Loc, effects: Sequence[Effect], allow: Sequence[str]
    ) -> tuple[CompiledEffect, ...]:
        out = []
        failed = False
        for i, eff in enumerate(effects):
            try:
                out.append(self.effect(origin, (*loc, i), eff, allow))
            except BuildFailed:
                failed = True
        if failed:
            raise BuildFailed
        return tuple(out)

    # -- world ---------------------------------------------------------------------------------
    def world_names(self) -> None:
        sc = self.sc
        seen: dict[str, int] = {}
        for i, p in enumerate(sc.actors):
            if p.id in seen:
                self.error("scenario", ("actors", i, "id"), f"actor '{p.id}' is listed twice")
            if p.id in RESERVED:
                self.error("scenario", ("actors", i, "id"), f"'{p.id}' is a reserved name")
            seen[p.id] = i
        for i, ind in enumerate(sc.indicators):
            if ind.id in self.names:
                self.error(
                    "scenario", ("indicators", i, "id"), f"indicator '{ind.id}' is defined twice"
                )
            if ind.id in RESERVED or ind.id in seen:
                self.error(
                    "scenario",
                    ("indicators", i, "id"),
                    f"'{ind.id}' is reserved or an actor id; choose another indicator id",
                )
            self.names.add(ind.id)
            self.initial[ind.id] = ind.initial
            self.ranges[ind.id] = (ind.min, ind.max)
            if isinstance(ind.visible_to, list):
                for j, a in enumerate(ind.visible_to):
                    self.check_actor("scenario", ("indicators", i, "visible_to", j), a)
        self.variable_ids = [v.id for v in sc.variables]
        for vi, var in enumerate(sc.variables):
            if self.variable_ids.count(var.id) > 1 and self.variable_ids.index(var.id) != vi:
                self.error(
                    "scenario", ("variables", vi, "id"), f"variable '{var.id}' is defined twice"
                )
        for pi, p in enumerate(sc.actors):
            for var in sc.variables:
                name = f"{p.id}.{var.id}"
                self.names.add(name)
                self.initial[name] = p.variables.get(var.id, var.initial)
                self.ranges[name] = (var.min, var.max)
            for key, value in p.variables.items():
                spec = next((v for v in sc.variables if v.id == key), None)
                if spec is None:
                    self.error(
                        "scenario",
                        ("actors", pi, "variables", key),
                        f"unknown variable '{key}'{suggest(key, self.variable_ids)}",
                    )
                elif not spec.min <= value <= spec.max:
                    self.error(
                        "scenario",
                        ("actors", pi, "variables", key),
                        f"{value} is outside {spec.min}..{spec.max}",
                    )
        for a, b in itertools.combinations(sorted(self.actors), 2):
            name = f"trust.{a}.{b}"
            self.names.add(name)
            self.initial[name] = sc.relations.default
            self.ranges[name] = (0.0, 100.0)
        for i, pair in enumerate(sc.relations.pairs):
            ok = True
            for j, a in enumerate(pair.between):
                ok &= self.check_actor("scenario", ("relations", "pairs", i, "between", j), a)
            if ok:
                if pair.between[0] == pair.between[1]:
                    self.error(
                        "scenario",
                        ("relations", "pairs", i, "between"),
                        "a relation needs two different actors",
                    )
                    continue
                a, b = sorted(pair.between)
                self.initial[f"trust.{a}.{b}"] = pair.initial
        for flag, declared in sc.flags.items():
            self.names.add(f"flags.{flag}")
            fs = flag_spec(declared)
            self.initial[f"flags.{flag}"] = fs.initial
            if isinstance(fs.visible, list):
                for j, a in enumerate(fs.visible):
                    self.check_actor("scenario", ("flags", flag, "visible", j), a)
        self.names.update(("round", "t"))
        self.initial["round"] = 1
        self.initial["t"] = 0.0

    def check_actor(self, origin: str, loc: Loc, actor: str) -> bool:
        if actor in self.actors:
            return True
        self.error(
            origin,
            loc,
            f"unknown actor '{actor}'{suggest(actor, self.actors)}"
            f" (this scenario's actors: {', '.join(self.actors)})",
        )
        return False

    def move_spec(self, origin: str, loc: Loc, mt: MoveType) -> MoveSpec:
        allow = ("self", "target") if mt.target == "actor" else ("self",)
        failed = False

        def expr(key: str, src: str | float | bool) -> Expr | None:
            nonlocal failed
            try:
                return self.expr(origin, (*loc, key), src, allow)
            except BuildFailed:
                failed = True
                return None

        def effects(key: str, effs: Sequence[Effect]) -> tuple[CompiledEffect, ...]:
            nonlocal failed
            try:
                return self.effects(origin, (*loc, key), effs, allow)
            except BuildFailed:
                failed = True
                return ()

        for j, name in enumerate(mt.reveals):
            if not self.known_with_placeholders(allow)(name):
                self.error(
                    origin,
                    (*loc, "reveals", j),
                    f"unknown state name '{name}'{suggest(name, self.hints(allow))}",
                )
                failed = True
        requires = None if mt.requires is None else expr("requires", mt.requires)
        chance = expr("chance", mt.chance)
        detection = expr("detection", mt.detection)
        on_success = effects("effects", mt.effects)
        on_failure = effects("on_failure", mt.on_failure)
        if failed or chance is None or detection is None:
            raise BuildFailed
        return MoveSpec(mt, requires, chance, detection, on_success, on_failure)

    def moves(self) -> dict[str, MoveSpec]:
        specs: dict[str, MoveSpec] = {}
        origin_of: dict[str, str] = {}
        ms = self.sc.moves
        excluded = set(ms.exclude)
        left_out: set[str] = set()
        """Excluded catalogue moves that use state this scenario lacks: out twice over, which is
        fine (the exclude keeps them out once that state is added), so neither is reported."""
        for i, cat_id in enumerate(ms.include):
            cat = self.catalogues.get(cat_id)
            if cat is None:
                self.error(
                    "scenario",
                    ("moves", "include", i),
                    f"unknown move catalogue '{cat_id}'{suggest(cat_id, self.catalogues)}",
                )
                continue
            origin = f"catalogue:{cat_id}"
            # A shared catalogue may use state this scenario lacks: drop those moves, quietly
            # grouped into one warning, instead of failing the scenario.
            before = len(self.issues)
            dropped = []
            for j, mt in enumerate(cat.moves):
                if mt.id in specs:
                    self.error(origin, ("moves", j, "id"), f"move '{mt.id}' is defined twice")
                    continue
                start = len(self.issues)
                try:
                    specs[mt.id] = self.move_spec(origin, ("moves", j), mt)
                    origin_of[mt.id] = origin
                except BuildFailed:
                    if mt.id in excluded:
                        left_out.add(mt.id)
                        del self.issues[start:]
                    else:
                        dropped.append(mt.id)
            if dropped:
                details = [iss.message for iss in self.issues[before:]]
                del self.issues[before:]
                self.warn(
                    "scenario",
                    ("moves", "include", i),
                    f"{len(dropped)} move(s) of catalogue '{cat_id}' use state this "
                    f"scenario does not define and are left out: "
                    f"{', '.join(dropped[:8])}"
                    f"{f' and {len(dropped) - 8} more' if len(dropped) > 8 else ''} "
                    f"(first reason: {details[0] if details else '?'})",
                )
        for i, mt in enumerate(ms.extra):
            if mt.id in specs and origin_of.get(mt.id) == "scenario":
                self.error(
                    "scenario", ("moves", "extra", i, "id"), f"move '{mt.id}' is defined twice"
                )
                continue
            try:
                # A scenario's own move replaces a catalogue move of the same id.
                specs[mt.id] = self.move_spec("scenario", ("moves", "extra", i), mt)
                origin_of[mt.id] = "scenario"
            except BuildFailed:
                pass
        self.exclude(specs, left_out)
        for i, mt in enumerate(ms.extra):
            if origin_of.get(mt.id) != "scenario" or not mt.targets:
                continue
            for j, a in enumerate(mt.targets):
                if a not in self.actors:
                    self.error(
                        "scenario",
                        ("moves", "extra", i, "targets", j),
                        f"move '{mt.id}' targets unknown actor '{a}'{suggest(a, self.actors)}"
                        f" (this scenario's actors: {', '.join(self.actors)})",
                    )
        return specs

    def exclude(self, specs: dict[str, MoveSpec], left_out: set[str]) -> None:
        """Apply ``moves.exclude`` to ``specs``; an entry that removes nothing says why."""
        own = {mt.id: i for i, mt in enumerate(self.sc.moves.extra)}
        done: set[str] = set()
        for i, mid in enumerate(self.sc.moves.exclude):
            loc = ("moves", "exclude", i)
            if mid in done:
                self.warn("scenario", loc, f"'{mid}' is already excluded: remove this repeat")
            elif mid in own:
                # Never what was meant: an author who thinks a catalogue's move must be excluded
                # for their own to replace it loses both. (It stays out, as it always did.)
                specs.pop(mid, None)
                cat = self.catalogue_of(mid)
                replaces = (
                    f", which replaces the move of that id in catalogue '{cat}'" if cat else ""
                )
                self.error(
                    "scenario",
                    loc,
                    f"'{mid}' is this scenario's own move (moves.extra[{own[mid]}]){replaces}: "
                    f"exclude would remove it; remove '{mid}' from exclude to keep it, or delete "
                    "the move from extra to leave it out",
                )
            elif specs.pop(mid, None) is None and mid not in left_out:
                # An error: a misspelt exclude would leave the move in play unnoticed.
                self.error("scenario", loc, self.nothing_to_exclude(mid))
            done.add(mid)

    def catalogue_of(self, mid: str) -> str | None:
        """The first included catalogue with a move ``mid``."""
        for cid in self.sc.moves.include:
            cat = self.catalogues.get(cid)
            if cat is not None and any(m.id == mid for m in cat.moves):
                return cid
        return None

    def nothing_to_exclude(self, mid: str) -> str:
        """Why there is no move ``mid`` to exclude, and the fix."""
        ms = self.sc.moves
        moves = [m for c in ms.include if c in self.catalogues for m in self.catalogues[c].moves]
        tagged = {"tag": [m.id for m in moves if mid in m.tags]}
        tagged["category"] = [m.id for m in moves if m.category == mid]
        for kind, marked in tagged.items():
            if marked:
                more = f" and {len(marked) - 6} more" if len(marked) > 6 else ""
                return (
                    f"no move '{mid}' to exclude: '{mid}' is a move {kind}, and exclude takes "
                    f"move ids; list the ones to leave out ({kind} '{mid}': "
                    f"{', '.join(marked[:6])}{more})"
                )
        places = [f"catalogue(s) {', '.join(ms.include)}"] if ms.include else []
        if ms.extra:
            places.append("this scenario's extra moves")
        where = " or ".join(places) or "any catalogue (this scenario includes none)"
        hint = suggest(mid, [m.id for m in (*moves, *ms.extra)])
        return f"no move '{mid}' to exclude: it is not in {where}" + (
            hint or "; correct the id or remove it from exclude"
        )

    def build(self) -> World | None:
        sc = self.sc
        self.world_names()
        specs = self.moves()
        self.moves_seen = set(specs)
        for cat in self.catalogues.values():
            self.moves_seen.update(m.id for m in cat.moves)
        usable: dict[str, tuple[str, ...]] = {
            a: tuple(
                mid for mid, s in specs.items() if s.type.actors == "all" or a in s.type.actors
            )
            for a in self.actors
        }
        models = actor_models(self, usable)
        injects = []
        for i, inj in enumerate(sc.injects):
            self.audience(("injects", i, "audience"), inj.audience)
            self.reveals(("injects", i, "reveals"), inj.reveals)
            try:
                effs = self.effects("scenario", ("injects", i, "effects"), inj.effects, ())
                injects.append(
                    CompiledInject(
                        inj, tuple(bind_effect(e, {}, self.names.__contains__) for e in effs)
                    )
                )
            except BuildFailed:
                pass
        self.unique("injects", [x.id for x in sc.injects])
        triggers = []
        for i, trg in enumerate(sc.triggers):
            if trg.inject is not None:
                self.audience(("triggers", i, "inject", "audience"), trg.inject.audience)
                self.reveals(("triggers", i, "inject", "reveals"), trg.inject.reveals)
            try:
                when = self.expr("scenario", ("triggers", i, "when"), trg.when)
                effs = self.effects("scenario", ("triggers", i, "effects"), trg.effects, ())
                triggers.append(
                    CompiledTrigger(
                        trg, when, tuple(bind_effect(e, {}, self.names.__contains__) for e in effs)
                    )
                )
            except BuildFailed:
                pass
        self.unique("triggers", [x.id for x in sc.triggers])
        ends = []
        for i, end in enumerate(sc.end_conditions):
            with contextlib.suppress(BuildFailed):
                ends.append(
                    CompiledEnd(end, self.expr("scenario", ("end_conditions", i, "when"), end.when))
                )
        self.unique("end_conditions", [x.id for x in sc.end_conditions])
        objectives = []
        for i, obj in enumerate(sc.objectives):
            try:
                measure = (
                    None
                    if obj.measure is None
                    else self.expr("scenario", ("objectives", i, "measure"), obj.measure)
                )
                objectives.append((obj.id, measure))
            except BuildFailed:
                pass
        if any(i.severity == "error" for i in self.issues):
            return None
        world = World(
            scenario=sc,
            actors=self.actors,
            names=frozenset(self.names),
            initial=self.initial,
            ranges=self.ranges,
            moves=specs,
            usable=usable,
            models=models,
            injects=tuple(sorted(injects, key=lambda x: x.spec.at)),
            triggers=tuple(triggers),
            ends=tuple(ends),
            objectives=tuple(objectives),
            content_hash=content_hash(
                sc,
                [models[a].profile for a in self.actors],
                [self.catalogues[c] for c in sc.moves.include],
            ),
            sight=compile_sight(sc, self.actors, self.names),
        )
        bind_all(world)
        return world

    def reveals(self, loc: Loc, names: Sequence[str]) -> None:
        for j, name in enumerate(names):
            if canonical_name(name) not in self.names:
                self.error(
                    "scenario",
                    (*loc, j),
                    f"unknown state name '{name}'{suggest(name, self.names)}",
                )

    def audience(self, loc: Loc, audience: list[str] | str) -> None:
        if audience != "public":
            for j, a in enumerate(audience):
                self.check_actor("scenario", (*loc, j), a)

    def unique(self, section: str, ids: list[str]) -> None:
        seen = set()
        for i, x in enumerate(ids):
            if x in seen:
                self.error("scenario", (section, i, "id"), f"'{x}' is used twice in {section}")
            seen.add(x)


def content_hash(
    scenario: Scenario, profiles: Sequence[ActorProfile], catalogues: Sequence[Catalogue]
) -> str:
    """A hash of everything that decides how the scenario plays, recorded in every log header."""
    # Notes for control (an inject's expected action and objective) and balance goals do not
    # change how a scenario plays, so editing them keeps logs of the same play comparable.
    notes = {"expect": True, "injects": {"__all__": {"expected_action", "objective"}}}
    blob = json.dumps(
        [
            scenario.model_dump(mode="json", exclude=notes),  # type: ignore[arg-type]
            [p.model_dump(mode="json") for p in profiles],
            [c.model_dump(mode="json") for c in catalogues],
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build(
    scenario: Scenario, profiles: Mapping[str, ActorProfile], catalogues: Mapping[str, Catalogue]
) -> tuple[World | None, list[BuildIssue]]:
    """Compile a scenario; the world is None when any issue is an error."""
    builder = _Builder(scenario, profiles, catalogues)
    world = builder.build()
    return world, builder.issues
