"""Names as people read them: actors by their short names and state names by their labels.

The players' rationale lines (``actors.wording``), the run summary, the reports and every screen
of the TUI word state names through here, so a value reads the same wherever it is shown. It
lives in the engine, below both the players and the reports, because neither may import the
other.
"""

from __future__ import annotations

from sim.engine.world import World


def short_name(world: World, actor: str) -> str:
    """An actor's short display name (its id when no profile gives one)."""
    model = world.models.get(actor)
    return model.profile.short if model is not None else actor


def state_labels(world: World) -> dict[str, str]:
    """Display labels for every state name that has one (indicators, variables, trust, flags);
    other names read as themselves."""
    sc = world.scenario
    out = {i.id: i.label for i in sc.indicators}
    for a in world.actors:
        for v in sc.variables:
            out[f"{a}.{v.id}"] = f"{short_name(world, a)} {v.label.lower()}"
    for name in world.names:
        if name.startswith("trust."):
            _, a, b = name.split(".")
            out[name] = f"Trust {short_name(world, a)}-{short_name(world, b)}"
        elif name.startswith("flags."):
            out[name] = name[6:].replace("_", " ")
    return out
