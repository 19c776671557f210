"""``ACTOR.PARAM=VALUE`` settings: what-if changes to a scenario's actors, applied before build.

A setting edits the scenario the way an author would (the participant's ``overrides`` or initial
variables), so the changed world is validated by the same builder and gets its own content hash;
nothing patches a compiled world behind the builder's back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sim.engine.expr import suggest
from sim.models import ActorProfile, Scenario
from sim.models.scenario import Participant

Kind = Literal["escalation", "risk_tolerance", "policy", "interest", "faction", "variable"]
TENDENCIES = ("escalation", "risk_tolerance")
PARAMS_HELP = "escalation, risk_tolerance, policy, interest.ID, faction.ID or a variable id"


class SettingError(ValueError):
    """A setting that does not fit the scenario: a user error with a did-you-mean hint."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One parsed ``ACTOR.PARAM=VALUE``."""

    actor: str
    param: str
    """As written after the actor: ``escalation``, ``interest.border_stability``, ..."""
    value: str
    text: str
    """The setting as the user wrote it, for messages."""

    @classmethod
    def parse(cls, text: str) -> Setting:
        """Split ``ACTOR.PARAM=VALUE``; raises :class:`SettingError` on other shapes."""
        key, eq, value = text.partition("=")
        actor, dot, param = key.strip().partition(".")
        if not eq or not dot or not actor or not param or not value.strip():
            raise SettingError(
                f"'{text}': expected ACTOR.PARAM=VALUE, e.g. "
                "china.escalation=0.2 or china.interest.border_stability=0.9"
            )
        return cls(actor, param.strip(), value.strip(), text)


def _number(s: Setting, lo: float, hi: float) -> float:
    try:
        x = float(s.value)
    except ValueError:
        raise SettingError(f"'{s.text}': {s.param} must be a number, not '{s.value}'") from None
    if not lo <= x <= hi:
        raise SettingError(f"'{s.text}': {s.param} must be between {lo:g} and {hi:g}")
    return x


def _apply_one(
    scenario: Scenario,
    p: Participant,
    profile: ActorProfile | None,
    s: Setting,
    policies: Iterable[str],
) -> Participant:
    head, _, rest = s.param.partition(".")
    ov = p.overrides
    variables = {v.id: v for v in scenario.variables}
    if s.param in TENDENCIES:
        return p.model_copy(update={"overrides": ov.model_copy(update={s.param: _number(s, 0, 1)})})
    if s.param == "policy":
        known = sorted(policies)
        if s.value not in known:
            raise SettingError(
                f"'{s.text}': unknown policy '{s.value}'{suggest(s.value, known)}"
                f" (policies: {', '.join(known)})"
            )
        return p.model_copy(update={"overrides": ov.model_copy(update={"policy": s.value})})
    if head in ("interest", "interests", "faction", "factions") and rest:
        is_interest = head.startswith("interest")
        ids = (
            []
            if profile is None
            else [x.id for x in (profile.interests if is_interest else profile.factions)]
        )
        what = "interest" if is_interest else "faction"
        if rest not in ids:
            listed = f" ({p.id}'s {what}s: {', '.join(ids)})" if ids else f" ({p.id} has none)"
            raise SettingError(f"'{s.text}': unknown {what} '{rest}'{suggest(rest, ids)}{listed}")
        field = "interests" if is_interest else "factions"
        weights = {**getattr(ov, field), rest: _number(s, 0, 1)}
        return p.model_copy(update={"overrides": ov.model_copy(update={field: weights})})
    if s.param in variables:
        var = variables[s.param]
        values = {**p.variables, s.param: _number(s, var.min, var.max)}
        return p.model_copy(update={"variables": values})
    known = (
        [
            *TENDENCIES,
            "policy",
            *(f"interest.{i.id}" for i in profile.interests),
            *(f"faction.{f.id}" for f in profile.factions),
            *variables,
        ]
        if profile
        else []
    )
    raise SettingError(
        f"'{s.text}': unknown parameter '{s.param}' for {p.id}"
        f"{suggest(s.param, known)} (parameters: {PARAMS_HELP})"
    )


def apply_settings(
    scenario: Scenario,
    profiles: Mapping[str, ActorProfile],
    settings: Sequence[Setting],
    policies: Iterable[str],
) -> Scenario:
    """The scenario with every setting applied in order; raises :class:`SettingError`.

    ``profiles`` is keyed by profile id (a participant's ``profile`` or its ``id``); ``policies``
    are the registered computer-policy names.
    """
    actors = list(scenario.actors)
    index = {p.id: i for i, p in enumerate(actors)}
    names = list(policies)
    for s in settings:
        i = index.get(s.actor)
        if i is None:
            raise SettingError(
                f"'{s.text}': unknown actor '{s.actor}'{suggest(s.actor, index)}"
                f" (actors: {', '.join(index)})"
            )
        p = actors[i]
        actors[i] = _apply_one(scenario, p, profiles.get(p.profile or p.id), s, names)
    return scenario.model_copy(update={"actors": actors})
