"""A profile player's rationale lines, in a student's words: labels instead of ids, the interest
or red line that drove the choice, and why it beat the next best option."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from actors.candidates import Candidate
from sim.engine.expr import Value
from sim.engine.labels import state_labels
from sim.engine.world import World

if TYPE_CHECKING:
    from actors.profile import ProfilePolicy

Scored = tuple[float, float, Candidate]


def aimed(player: ProfilePolicy, target: str | None) -> str:
    """' (China)' for a move aimed at China; '' for an untargeted move."""
    return f" ({player.short_of.get(target, target)})" if target else ""


def labels(player: ProfilePolicy) -> dict[str, str]:
    """Display labels of the state names (the reports' words, from the engine's helper that both
    share), memoised per world since a player asks for them at every red line."""
    world = player.world
    out: dict[str, str] | None = world.memo.get("state-labels")
    if out is None:
        out = world.memo["state-labels"] = state_labels(world)
    return out


def red_line_line(
    player: ProfilePolicy,
    rid: str,
    move: str,
    target: str | None,
    seen: Mapping[str, Value],
    blame: tuple[tuple[str, ...], tuple[str, ...]] | None,
) -> str:
    """Why a red line forced a move: its label and the believed values that crossed it."""
    name = player.world.moves[move].type.name
    label = player.red_line_labels.get(rid, rid)
    words = labels(player)
    reads = ", ".join(
        words.get(n, n) if isinstance(v, bool) else f"{words.get(n, n)} {v:g}"
        for n, v in seen.items()
    )
    if blame is not None:
        by = " or ".join(player.short_of.get(a, a) for a in blame[0])
        reads = f"{reads}, caused by {by}"
    return f"{player.short}: {name}{aimed(player, target)}: red line '{label}' crossed ({reads})"


def move_names(world: World) -> dict[str, str]:
    """Each move's display name by id (memoised per world: a full run names two a decision)."""
    out: dict[str, str] | None = world.memo.get("move-names")
    if out is None:
        out = world.memo["move-names"] = {m: spec.type.name for m, spec in world.moves.items()}
    return out


NO_DRIVE = "no direct effect on its interests; one of its preferred instruments"
"""The drive of a move that helps or costs none of the actor's interests."""

Phrases = tuple[dict[tuple[str, str | None], str], dict[tuple[str, bool], str]]


def phrases(player: ProfilePolicy) -> Phrases:
    """The words of ``player``'s lines that depend on nothing but the world and the actor, made
    when first asked (memoised per world and actor: a full run writes two lines a decision):
    each (move, target)'s name and aim ('Strike (China)'), and each (interest, helps?)'s
    phrase ("helps 'Stability'")."""
    key = ("wording-phrases", player.actor)
    out: Phrases | None = player.world.memo.get(key)
    if out is None:
        out = player.world.memo[key] = ({}, {})
    return out


def choice_line(
    player: ProfilePolicy, values: Mapping[str, Value], pick: Scored, runner: Scored | None
) -> str:
    """The move, the interests that drove it, and why it beat the next best option."""
    s, _u, c = pick
    moves, drives = phrases(player)
    words = []
    for i, v in player.explain(values, c):
        helps = v > 0
        phrase = drives.get((i, helps))
        if phrase is None:
            label = player.labels.get(i, i)
            phrase = drives[i, helps] = f"{'helps' if helps else 'costs'} '{label}'"
        words.append(phrase)
    drive = ", ".join(words) or NO_DRIVE
    times = player.used.get(c.key, 0)
    if times:
        drive += f"; made {times} time(s) before, so worth less now"
    move = moves.get(c.key)
    if move is None:
        move = moves[c.key] = move_names(player.world)[c.move] + aimed(player, c.target)
    head = f"{player.short}: {move}: {drive}"
    if runner is None:
        return head
    r = runner[2]
    other = moves.get(r.key)
    if other is None:
        other = moves[r.key] = move_names(player.world)[r.move] + aimed(player, r.target)
    how = "preferred to" if s >= runner[0] else "chosen for variety over"
    return f"{head}; {how} {other} (worth {s:.3f} against {runner[0]:.3f})"
