"""Actor models: each actor's profile compiled for one scenario, a part of :mod:`sim.engine.build`.

Scenario overrides are applied, each want is normalised to its state name's range, and profile
items that use state the scenario lacks are left out, with one warning per profile: a small
scenario may use much less than a bundled profile describes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal, Protocol

from sim.engine.build_issues import Loc
from sim.engine.expr import Expr, ExprError, bind, compile_expr, rebind, suggest
from sim.engine.policy import check_policy
from sim.engine.world import (
    ActorModel,
    BoundWant,
    CompiledMessage,
    FactionModel,
    FactionShiftRule,
    RedLineRule,
    WeightedInterest,
)
from sim.models import ActorProfile, Scenario


class Builder(Protocol):
    """What actor models need from the world builder (:class:`sim.engine.build._Builder`)."""

    sc: Scenario
    profiles: Mapping[str, ActorProfile]
    actors: tuple[str, ...]
    names: set[str]
    ranges: dict[str, tuple[float, float]]
    moves_seen: set[str]
    """Every move id of the scenario and the catalogues, usable here or not."""

    def error(self, origin: str, loc: Loc, message: str, offset: int | None = None) -> None: ...
    def warn(self, origin: str, loc: Loc, message: str) -> None: ...
    def known_with_placeholders(self, allow: Sequence[str]) -> Callable[[str], bool]: ...
    def hints(self, allow: Sequence[str]) -> list[str]: ...


def actor_models(b: Builder, usable: Mapping[str, tuple[str, ...]]) -> dict[str, ActorModel]:
    """The model of every actor of the scenario whose profile exists; the others are reported."""
    models: dict[str, ActorModel] = {}
    for i, p in enumerate(b.sc.actors):
        pid = p.profile or p.id
        profile = b.profiles.get(pid)
        if profile is None:
            b.error(
                "scenario",
                ("actors", i, "profile" if p.profile else "id"),
                f"no actor profile '{pid}'{suggest(pid, b.profiles)} (looked in "
                f"the bundled actors and beside the scenario)",
            )
            continue
        models[p.id] = actor_model(b, i, profile, usable[p.id])
    return models


def actor_model(
    b: Builder, index: int, profile: ActorProfile, usable: tuple[str, ...]
) -> ActorModel:
    """The model of the scenario's actor ``index`` played by ``profile``, which may use the moves
    ``usable``; problems go to the builder."""
    p = b.sc.actors[index]
    origin = f"actor:{profile.id}"
    ov = p.overrides
    bindings = {"self": p.id}
    known = b.known_with_placeholders(("self",))
    hint = b.hints(("self",))

    left_out: list[str] = []

    def compiled(loc: Loc, src: str) -> Expr | None:
        try:
            return rebind(compile_expr(src, known, hint), bindings, b.names.__contains__)
        except ExprError as exc:
            left_out.append(f"{'.'.join(map(str, loc))} ({exc.message})")
            return None

    interest_ids = [i.id for i in profile.interests]
    for key in ov.interests:
        if key not in interest_ids:
            b.error(
                "scenario",
                ("actors", index, "overrides", "interests", key),
                f"unknown interest '{key}' of {profile.id}{suggest(key, interest_ids)}",
            )
    faction_ids = [f.id for f in profile.factions]
    for key in ov.factions:
        if key not in faction_ids:
            b.error(
                "scenario",
                ("actors", index, "overrides", "factions", key),
                f"unknown faction '{key}' of {profile.id}{suggest(key, faction_ids)}",
            )
    interests = []
    for interest in profile.interests:
        wants: list[BoundWant] = []
        for want in interest.wants:
            name = bind(want.indicator, bindings)
            if name not in b.names:
                left_out.append(f"interests.{interest.id} ({want.indicator})")
                continue
            if name.startswith("flags."):
                sign = 1.0 if want.direction == "higher" else -1.0
            else:
                lo, hi = b.ranges[name]
                # Normalise so that a full-range swing is worth `weight` whatever the units.
                sign = (1.0 if want.direction == "higher" else -1.0) / max(hi - lo, 1e-9)
            wants.append(BoundWant(name, sign * want.weight))
        weight = ov.interests.get(interest.id, interest.weight)
        interests.append(WeightedInterest(interest, weight, tuple(wants)))
    red_lines = []
    for i, rl in enumerate(profile.red_lines):
        cond = compiled(("red_lines", i, "when"), rl.when)
        responses = tuple(m for m in rl.response if m in usable)
        for j, m in enumerate(rl.response):
            if m not in b.moves_seen:
                b.warn(
                    origin,
                    ("red_lines", i, "response", j),
                    f"unknown move '{m}'{suggest(m, b.moves_seen)}",
                )
        if cond is not None:
            target = rl.target if rl.target in b.actors else None
            red_lines.append(RedLineRule(rl.id, cond, responses, target))
    factions = []
    for i, fac in enumerate(profile.factions):
        for key in fac.interests:
            if key not in interest_ids:
                b.error(
                    origin,
                    ("factions", i, "interests", key),
                    f"unknown interest '{key}'{suggest(key, interest_ids)}",
                )
        shifts = []
        for j, sh in enumerate(fac.shifts):
            cond = compiled(("factions", i, "shifts", j, "when"), sh.when)
            if cond is not None:
                shifts.append(FactionShiftRule(cond, sh.by))
        factions.append(
            FactionModel(
                fac.id, ov.factions.get(fac.id, fac.weight), dict(fac.interests), tuple(shifts)
            )
        )
    messages = []
    for i, rule in enumerate(profile.messages):
        cond = compiled(("messages", i, "when"), rule.when)
        to: tuple[str, ...] | Literal["public"] = (
            "public"
            if rule.to == "public"
            else tuple(a for a in rule.to if a in b.actors and a != p.id)
        )
        if cond is not None and to:
            messages.append(CompiledMessage(cond, to, rule.text))
    if left_out:
        # One line per profile, in the scenario file: a small scenario may leave out much
        # of a bundled profile, and the author needs to see that, not fifty lines of it.
        b.warn(
            "scenario",
            ("actors", index, "id"),
            f"{len(left_out)} item(s) of profile '{profile.id}' use state this "
            f"scenario does not define and are left out: {'; '.join(left_out[:4])}"
            + (f"; and {len(left_out) - 4} more" if len(left_out) > 4 else ""),
        )
    policy = ov.policy or profile.policy
    problem = check_policy(policy)
    if problem is not None:
        if ov.policy:
            b.error("scenario", ("actors", index, "overrides", "policy"), problem)
        else:
            b.error(origin, ("policy",), problem)
    return ActorModel(
        id=p.id,
        profile=profile,
        interests=tuple(interests),
        red_lines=tuple(red_lines),
        factions=tuple(factions),
        messages=tuple(messages),
        risk_tolerance=ov.risk_tolerance
        if ov.risk_tolerance is not None
        else profile.tendencies.risk_tolerance,
        escalation=ov.escalation if ov.escalation is not None else profile.tendencies.escalation,
        policy=policy,
        briefing=p.briefing,
    )
