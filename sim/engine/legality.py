"""What the rules allow: orders, messages, proposals and effects typed at run time.

Every check returns problems as plain sentences (empty when all is well), so a front end can show
them before anything is submitted; :class:`~sim.engine.inputs.IllegalInput` carries them when an
input is refused. The world builder words a wrongly typed effect in a YAML file with
:func:`effect_type_problem` too, so an author and a player meet the same rule in the same words.
"""

from __future__ import annotations

from typing import Literal

from sim.engine.adjudicate import breached, illegal
from sim.engine.expr import ExprError, compile_expr, suggest
from sim.engine.inputs import IllegalInput
from sim.engine.state import State
from sim.engine.world import BoundEffect, World
from sim.models import Effect, Orders
from sim.models.script import MessageOrder

SEATS = ("human", "computer", "script")


def seat_problem(seat: object) -> str | None:
    """Why ``seat`` is not a seat kind, or None."""
    return None if seat in SEATS else f"a seat is human, computer or script, not {seat!r}"


def effect_type_problem(eff: Effect, is_flag: bool) -> tuple[Literal["change", "to"], str] | None:
    """(key, message) when an effect does not fit its state name's type, or None."""
    name = eff.name
    if eff.change is not None:
        if is_flag:
            return "change", f"'{name}' is a flag: use `set: {name}` with `to: true` or `to: false`"
        return None
    if is_flag and not isinstance(eff.to, bool | str):
        return "to", f"'{name}' is a flag: set it to true or false"
    if not is_flag and isinstance(eff.to, bool):
        return "to", f"'{name}' is a number: set it to a number"
    return None


def runtime_effect(world: World, eff: Effect) -> BoundEffect:
    """Check and compile an effect typed at run time (proposal terms, control injects), so a bad
    one is refused before anything is recorded rather than failing mid-round."""
    if eff.name not in world.names or eff.name in ("round", "t"):
        raise IllegalInput([f"unknown state name '{eff.name}'{suggest(eff.name, world.names)}"])
    wrong = effect_type_problem(eff, isinstance(world.initial[eff.name], bool))
    if wrong is not None:
        raise IllegalInput([wrong[1]])
    amount = eff.by if eff.change is not None else eff.to
    assert amount is not None  # the model requires one of the two
    try:
        expr = compile_expr(amount, world.known, world.names)
    except ExprError as exc:
        raise IllegalInput([f"effect on '{eff.name}': {exc.message}"]) from None
    return BoundEffect(eff.name, "add" if eff.change is not None else "set", expr)


def check_orders(world: World, state: State, actor: str, orders: Orders) -> list[str]:
    """Every reason these orders would be refused now (empty when they are legal)."""
    if actor not in world.actors:
        return [f"unknown actor '{actor}'{suggest(actor, world.actors)}"]
    problems = []
    per_round = world.scenario.moves.per_round
    if len(orders.moves) > per_round:
        problems.append(
            f"{actor} may make at most {per_round} move(s) a round, got {len(orders.moves)}"
        )
    seen = set()
    for i, mo in enumerate(orders.moves, 1):
        if mo.move not in world.moves:
            problems.append(f"move {i}: unknown move '{mo.move}'{suggest(mo.move, world.moves)}")
            continue
        if (mo.move, mo.target) in seen:
            problems.append(f"move {i}: '{mo.move}' is listed twice")
        seen.add((mo.move, mo.target))
        reason = illegal(world, state, actor, mo.move, mo.target)
        if reason:
            problems.append(f"move {i}: {reason}")
    for i, msg in enumerate(orders.messages, 1):
        problems.extend(f"message {i}: {p}" for p in check_message(world, actor, msg))
    answered = set()
    for ans in orders.answers:
        prop = state.proposals.get(ans.proposal)
        if prop is None:
            problems.append(
                f"answer: no open proposal '{ans.proposal}'{suggest(ans.proposal, state.proposals)}"
            )
        elif actor not in prop.parties or actor == prop.sender:
            problems.append(f"answer: {actor} is not asked to answer '{ans.proposal}'")
        elif actor in prop.answers or ans.proposal in answered:
            problems.append(f"answer: {actor} has already answered '{ans.proposal}'")
        answered.add(ans.proposal)
    return problems


def breach_warnings(world: World, state: State, actor: str, orders: Orders) -> list[str]:
    """Agreements in force these orders' moves would breach, in words (empty when none).

    Warnings, not problems: breaking a promise is a legal choice, but one a player should make
    knowingly, before submitting rather than after the round closes. The same rule as the
    breach the kernel records when the move is resolved (:func:`breached`).
    """
    if actor not in world.actors or not state.agreements:
        return []
    out = []
    for mo in orders.moves:
        spec = world.moves.get(mo.move)
        if spec is None:
            continue  # check_orders reports it
        aimed = f" on {mo.target}" if mo.target else ""
        for aid in breached(state, actor, mo.move, spec.type.tags):
            ag = state.agreements[aid]
            others = ", ".join(p for p in ag.parties if p != actor) or "its parties"
            out.append(
                f"'{mo.move}'{aimed} would breach agreement '{ag.title}' ({aid}) with {others}"
            )
    return out


def check_message(world: World, actor: str, msg: MessageOrder) -> list[str]:
    """Every reason a message (and the proposal it may carry) would be refused."""
    problems = []
    if msg.to != "public":
        for a in msg.to:
            if a not in world.actors or a == actor:
                others = [x for x in world.actors if x != actor]
                problems.append(f"cannot send to '{a}'{suggest(a, others)}")
    if msg.proposal is None:
        return problems
    if msg.to == "public":
        problems.append("a proposal needs named recipients, not 'public'")
    for eff in msg.proposal.terms.effects:
        try:
            runtime_effect(world, eff)
        except IllegalInput as exc:
            problems.extend(f"proposal effect: {p}" for p in exc.problems)
    tags = {t for m in world.moves.values() for t in m.type.tags} | set(world.moves)
    parties = {actor, *([] if msg.to == "public" else msg.to)}
    for c in msg.proposal.terms.commitments:
        for f in c.forbid:
            if f not in tags:
                problems.append(
                    f"commitment: '{f}' is neither a move nor a move tag{suggest(f, tags)}"
                )
        if c.bound != "all":
            problems.extend(
                f"commitment: '{b}' is not a party" for b in c.bound if b not in parties
            )
    return problems


def check_audience(world: World, audience: object) -> list[str]:
    """Problems with an inject's audience: 'public' or a list of this world's actors."""
    if audience == "public":
        return []
    if not isinstance(audience, list | tuple):
        return [f"an audience is 'public' or a list of actors, not {audience!r}"]
    return [
        f"unknown actor '{a}'{suggest(str(a), world.actors)}"
        for a in audience
        if a not in world.actors
    ]
