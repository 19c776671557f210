"""Who sees what: the scenario's visibility declarations, compiled once per world.

Every state name has an audience. A name in an actor's audience is *visible* to it: its view
holds the current value. For every other name the actor holds a *belief*: the value it last
observed, and when (the starting value, from the briefing, until it observes a change). An actor
observes a change of a name it cannot see only

* when the name is declared ``visible: source`` (the default for flags) and the actor knows the
  change's cause: a move it knows of, an inject it received, a trigger's public consequence, an
  agreement it is party to; or
* when something reveals the value to it: an inject or a move that declares ``reveals:``.

Defaults: indicators are public, per-actor variables are seen by their own actor, trust by the
two parties, flags by whoever sees what changed them; ``round`` and ``t`` by everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sim.models import Scenario
from sim.models.scenario import Flag

EVERYONE = frozenset({"round", "t"})


@dataclass(frozen=True, slots=True)
class Sight:
    """The compiled visibility of one world."""

    visible: dict[str, frozenset[str]]
    """Actor id to the state names whose current value it sees."""
    believers: dict[str, tuple[str, ...]]
    """State name to the actors that do not see it (and so hold a belief about it), in
    scenario order; names everyone sees are absent."""
    by_source: frozenset[str]
    """Names whose changes are observed by whoever knows the change's cause."""

    def sees(self, actor: str, name: str) -> bool:
        """Whether ``actor`` sees the current value of ``name``."""
        return name in self.visible[actor]


def flag_spec(value: bool | Flag) -> Flag:
    """A flag's declaration, from the short form (``NAME: true``) or the long one."""
    return value if isinstance(value, Flag) else Flag(initial=value)


def compile_sight(scenario: Scenario, actors: Iterable[str], names: Iterable[str]) -> Sight:
    """Each name's audience from the declarations, and who must believe instead of see."""
    actors = tuple(actors)
    everyone = frozenset(actors)
    audience: dict[str, frozenset[str]] = {}
    for ind in scenario.indicators:
        audience[ind.id] = _audience(ind.visible_to, everyone)
    for var in scenario.variables:
        for a in actors:
            seen = {"own": frozenset({a}), "public": everyone, "none": frozenset()}[var.visible]
            audience[f"{a}.{var.id}"] = seen
    by_source = set()
    for flag, value in scenario.flags.items():
        spec = flag_spec(value)
        if spec.visible == "source":
            by_source.add(f"flags.{flag}")
            audience[f"flags.{flag}"] = frozenset()
        else:
            audience[f"flags.{flag}"] = _audience(spec.visible, everyone)
    trust = scenario.relations.visible
    for name in names:
        if name.startswith("trust."):
            _, a, b = name.split(".")
            audience[name] = {
                "parties": frozenset({a, b}),
                "public": everyone,
                "none": frozenset(),
            }[trust]
        elif name in EVERYONE:
            audience[name] = everyone
    visible = {a: frozenset(n for n, who in audience.items() if a in who) for a in actors}
    believers = {
        n: tuple(a for a in actors if a not in who)
        for n, who in audience.items()
        if who != everyone
    }
    return Sight(visible, believers, frozenset(by_source))


def _audience(seen: str | list[str], everyone: frozenset[str]) -> frozenset[str]:
    if seen == "public":
        return everyone
    if seen == "none":
        return frozenset()
    return frozenset(seen) & everyone
