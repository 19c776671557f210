"""Events and sessions in words: the round-by-round summary of headless runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sim.engine.events import (
    AgreementMade,
    Breach,
    EffectApplied,
    Ended,
    Event,
    InjectDelivered,
    MessageSent,
    MoveMade,
    ProposalClosed,
    Resolved,
    RoundClosed,
    TriggerFired,
)
from sim.engine.session import Session
from sim.engine.world import World
from sim.report.labels import state_labels


def summary(session: Session) -> dict[str, Any]:
    """One object for machines: scenario, seed, rounds, outcome, final indicators and more."""
    world, state = session.world, session.state
    ended = next((e for e in reversed(session.log) if isinstance(e, Ended)), None)
    closed = [e for e in session.log if isinstance(e, RoundClosed)]
    indicators = {i.id: state.values[i.id] for i in world.scenario.indicators}
    escalation = {a: (round(sum(v) / len(v), 3) if v else 0.0) for a, v in state.escalation.items()}
    moves = Counter(e.move for e in session.log if isinstance(e, MoveMade))
    return {
        "scenario": world.id,
        "scenario_hash": world.content_hash,
        "seed": session.seed,
        "seats": dict(session.seats),
        "rounds": len(closed),
        "hours": state.t,
        "outcome": state.outcome,
        "outcome_title": ended.title if ended else None,
        "indicators": indicators,
        "mean_escalation": escalation,
        "triggers": sorted({e.id for e in session.log if isinstance(e, TriggerFired)}),
        "agreements": sorted(state.agreements),
        "top_moves": dict(moves.most_common(5)),
        "events": len(session.log),
        "final_hash": closed[-1].hash if closed else None,
    }


def _num(x: float) -> str:
    """At most one decimal, no trailing zeros: 68.1543 -> 68.2, 40.0 -> 40."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def describe(event: Event, world: World, labels: Mapping[str, str]) -> str | None:
    """One readable line for an event (None for bookkeeping events); ``labels`` is
    :func:`~sim.report.labels.state_labels` of the world."""
    if isinstance(event, MoveMade):
        mt = world.moves[event.move].type
        target = f" -> {event.target}" if event.target else ""
        secret = " [secret]" if event.visibility == "secret" else ""
        why = f"  ({event.rationale})" if event.rationale else ""
        return f"{event.actor}: {mt.name}{target} (esc {event.escalation}){secret}{why}"
    if isinstance(event, Resolved):
        if event.outcome == "success" and not event.detected_by:
            return None
        seen = f", detected by {', '.join(event.detected_by)}" if event.detected_by else ""
        return f"  {event.mid} {event.move}: {event.outcome}{seen}"
    if isinstance(event, EffectApplied):
        label = labels.get(event.name, event.name)
        value = (
            ("yes" if event.value else "no") if isinstance(event.value, bool) else _num(event.value)
        )
        sign = f" ({'+' if event.delta > 0 else ''}{_num(event.delta)})" if event.delta else ""
        return f"  {label} = {value}{sign}  [{event.source}]"
    if isinstance(event, InjectDelivered):
        to = "all" if event.audience == "public" else ", ".join(event.audience)
        return f"INJECT ({to}): {event.title}"
    if isinstance(event, MessageSent):
        to = "all" if event.to == "public" else ", ".join(event.to)
        prop = (
            f" [proposal {event.proposal['id']}: {event.proposal['title']}]"
            if event.proposal
            else ""
        )
        return f"{event.sender} -> {to}: {event.text}{prop}"
    if isinstance(event, AgreementMade):
        return f"AGREEMENT {event.id}: {event.title} ({', '.join(event.parties)})"
    if isinstance(event, ProposalClosed):
        return f"proposal {event.id} {event.status}"
    if isinstance(event, Breach):
        return f"BREACH: {event.actor} broke {event.agreement} with {event.move}"
    if isinstance(event, TriggerFired):
        return f"trigger {event.id} fired"
    if isinstance(event, Ended):
        return f"END: {event.title} ({event.outcome})"
    return None


def format_round(events: Iterable[Event], world: World) -> str:
    """Readable blocks, one per round (its header first), times in sim hours."""
    blocks: list[str] = []
    body: list[str] = []
    labels = state_labels(world)
    for e in events:
        if isinstance(e, RoundClosed):
            blocks.append(
                "\n".join([f"Round {e.round}  (ends t={e.t:g}h, state {e.hash[:8]})", *body])
            )
            body = []
            continue
        line = describe(e, world, labels)
        if line is not None:
            body.append(f"  t={e.t:>5g}h  {line}")
    if body:
        blocks.append("\n".join(body))
    return "\n".join(blocks)
