"""The rules in time: the only code that appends events to a session's log.

A :class:`Kernel` owns the SimPy environment (time only), the event log (the truth) and the state
folded from it. It delivers scheduled injects, lands move effects after their durations, checks
triggers and end conditions after every change, and closes rounds: the session hands it every
seat's orders in canonical order, and it rules on each move with keyed randomness, settles
proposals, shifts factions and runs the interval to the next decision point.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

import simpy

from sim.engine.adjudicate import breached, effect_result, non_finite, rule
from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    EffectApplied,
    Ended,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    ProposalClosed,
    RedLineCrossed,
    Resolved,
    Revealed,
    RoundClosed,
    Seat,
    TriggerFired,
)
from sim.engine.expr import NonFinite, canonical_name, compile_expr
from sim.engine.legality import runtime_effect
from sim.engine.policy import Decision
from sim.engine.state import State, apply, move_known
from sim.engine.world import (
    BoundEffect,
    BoundMove,
    CompiledEnd,
    CompiledInject,
    CompiledTrigger,
    World,
)
from sim.models import Orders

RoundOrders = Sequence[tuple[str, Orders | Decision, Seat]]
"""Every actor's orders for a round in canonical (scenario) order: (actor, the orders of a human
or script seat or the decision of a computer seat, seat)."""


class Kernel:
    """A session's log, state and clock, and the rules that change them."""

    def __init__(
        self,
        world: World,
        seed: int,
        listeners: Iterable[Callable[[Event], None]] = (),
        *,
        lean: bool = False,
    ) -> None:
        self.world = world
        self.seed = seed
        self.listeners = list(listeners)
        self.lean = lean
        self.log: list[Event] = []
        self.state = State.initial(world)
        self.env = simpy.Environment()
        self._landing: dict[float, list[tuple[str, tuple[BoundEffect, ...]]]] = {}
        self._watch: dict[str, list[CompiledTrigger | CompiledEnd]] = {}
        for trig in world.triggers:
            for name in trig.when.names or {"t"}:
                self._watch.setdefault(name, []).append(trig)
        for end in world.ends:
            if end.spec.immediate:
                for name in end.when.names or {"t"}:
                    self._watch.setdefault(name, []).append(end)
        self.env.process(self._injects())
        self.advance(0.0)
        first = list(world.triggers) + [e for e in world.ends if e.spec.immediate]
        try:
            self.check(first)
        except (ArithmeticError, ValueError) as exc:
            raise self._condition_failed(first, exc) from None

    def close_round(self, orders: RoundOrders) -> None:
        """Record the round's orders, rule on each move, settle proposals, and run the interval
        to the next decision point."""
        r, w, state = self.state.round, self.world, self.state
        t0 = self.env.now
        pending: list[tuple[str, BoundMove]] = []
        for actor, chosen, seat in orders:
            if isinstance(chosen, Decision):
                actor_orders, why = chosen.orders, chosen.rationale
                for rl in chosen.red_lines:
                    self.emit(
                        RedLineCrossed,
                        actor=actor,
                        red_line=rl.red_line,
                        believed=dict(rl.believed),
                        response=rl.response,
                        target=rl.target,
                    )
            else:
                actor_orders, why = chosen, ()
            for i, mo in enumerate(actor_orders.moves, 1):
                mid = f"m{r}.{actor}.{i}"
                mt = w.moves[mo.move].type
                self.push(
                    MoveMade(
                        seq=len(self.log),
                        t=float(self.env.now),
                        round=r,
                        mid=mid,
                        actor=actor,
                        move=mo.move,
                        target=mo.target,
                        escalation=mt.escalation,
                        category=mt.category,
                        visibility=mt.visibility,
                        by=seat,
                        rationale=why[i - 1] if i <= len(why) else None,
                    )
                )
                pending.append((mid, w.bound_move(actor, mo.move, mo.target)))
            for j, msg in enumerate(actor_orders.messages, 1):
                proposal = None
                if msg.proposal is not None:
                    pid = f"p{r}.{actor}.{j}"
                    proposal = {
                        "id": pid,
                        "title": msg.proposal.title,
                        "terms": msg.proposal.terms.model_dump(mode="json"),
                        "expires": r + msg.proposal.expires_after,
                    }
                self.emit(
                    MessageSent,
                    mid=f"c{r}.{actor}.{j}",
                    sender=actor,
                    to=msg.to if msg.to == "public" else tuple(msg.to),
                    text=msg.text,
                    by=seat,
                    proposal=proposal,
                )
            for ans in actor_orders.answers:
                self.emit(Answered, actor=actor, proposal=ans.proposal, accept=ans.accept, by=seat)
        self._landing = {}
        for mid, bound in pending:
            if state.outcome is not None:
                break
            self._resolve(mid, bound, t0)
        # One SimPy process per landing time, in canonical move order: the same order as one
        # process per move (SimPy runs same-time events first-in, first-out), fewer events.
        for delay, batch in self._landing.items():
            self.env.process(self._land(delay, batch))
        self._settle_proposals(r)
        self.advance(t0 + w.scenario.clock.round_hours)
        self._shift_factions()
        self.emit(RoundClosed, hash="" if self.lean else state.digest())
        if state.outcome is None and r >= w.scenario.clock.rounds:
            self._final_outcome()

    # -- adjudication --------------------------------------------------------------------------
    def _resolve(self, mid: str, bound: BoundMove, t0: float) -> None:
        ruling = rule(self.world, self.state, self.seed, mid, bound)
        mt = bound.spec.type
        self.push(
            Resolved(
                seq=len(self.log),
                t=float(self.env.now),
                round=self.state.round,
                mid=mid,
                actor=ruling.actor,
                move=ruling.move,
                outcome=ruling.outcome,
                chance=round(ruling.chance, 6),
                roll=round(ruling.roll, 6),
                detected_by=ruling.detected_by,
                lands_at=float(t0 + mt.duration),
            )
        )
        for ag in (
            breached(self.state, bound.actor, mt.id, mt.tags)
            if ruling.outcome != "cancelled" and self.state.agreements
            else ()
        ):
            agreement = self.state.agreements[ag]
            self.emit(
                Breach,
                agreement=ag,
                actor=bound.actor,
                mid=mid,
                move=mt.id,
                parties=agreement.parties,
            )
            penalty = self.world.scenario.relations.breach_penalty
            for other in agreement.parties:
                # A move breaks a promise only in the eyes of those who know of it: a secret one
                # for those who detected it, a target-only one for its target.
                if other != bound.actor and move_known(self.state, mid, other):
                    a, b = sorted((bound.actor, other))
                    self.change(
                        BoundEffect(f"trust.{a}.{b}", "add", compile_expr(-penalty, ())),
                        f"breach:{ag}",
                    )
        if bound.reveals and ruling.outcome == "success":
            rec = self.state.moves[mid]
            knowers = "public" if rec.visibility == "public" else sorted(rec.known_by)
            self._reveal(bound.reveals, knowers, mid)
        effects = (
            bound.effects
            if ruling.outcome == "success"
            else bound.on_failure
            if ruling.outcome == "failure"
            else ()
        )
        if effects:
            self._landing.setdefault(mt.duration, []).append((mid, effects))

    def _settle_proposals(self, r: int) -> None:
        for pid in sorted(self.state.proposals):
            prop = self.state.proposals[pid]
            if any(v is False for v in prop.answers.values()):
                self.emit(ProposalClosed, id=pid, status="rejected", parties=prop.parties)
            elif all(prop.answers.get(p) for p in prop.parties):
                commitments = tuple(
                    {
                        "forbid": list(c.forbid),
                        "bound": c.bound if c.bound == "all" else list(c.bound),
                        "until": self.state.t + c.hours,
                        "label": c.label,
                    }
                    for c in prop.terms.commitments
                )
                self.emit(
                    AgreementMade,
                    id=pid,
                    title=prop.title,
                    parties=prop.parties,
                    commitments=commitments,
                )
                for eff in prop.terms.effects:
                    self.change(runtime_effect(self.world, eff), f"agreement:{pid}")
            elif r >= prop.expires:
                self.emit(ProposalClosed, id=pid, status="expired", parties=prop.parties)

    def _shift_factions(self) -> None:
        values = self.state.values
        for actor, model in self.world.models.items():
            for faction in model.factions:
                fid = faction.id
                weight = self.state.factions[actor][fid]
                new = weight
                for shift in faction.shifts:
                    if shift.when.fn(values):
                        new += shift.by
                new = round(min(1.0, max(0.0, new)), 6)
                if new != weight:
                    self.emit(FactionShift, actor=actor, faction=fid, weight=new)

    def _final_outcome(self) -> None:
        values = self.state.values
        for end in self.world.ends:
            if end.when(values):
                self.emit(
                    Ended,
                    round=self.world.scenario.clock.rounds,
                    outcome=end.spec.id,
                    title=end.spec.title,
                    reason="clock",
                )
                return
        self.emit(
            Ended,
            round=self.world.scenario.clock.rounds,
            outcome="unresolved",
            title="No end condition held",
            reason="clock",
        )

    # -- time ----------------------------------------------------------------------------------
    def advance(self, until: float) -> None:
        env = self.env
        while self.state.outcome is None and env.peek() <= until:
            env.step()
        if self.state.outcome is None and env.now < until:
            env.run(until=until)

    def _injects(self) -> Generator[simpy.Event, Any, None]:
        for inj in self.world.injects:
            delay = inj.spec.at - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            if self.state.outcome is not None:
                return
            self._deliver(inj)

    def _deliver(self, inj: CompiledInject) -> None:
        spec = inj.spec
        self.emit(
            InjectDelivered,
            id=spec.id,
            title=spec.title,
            text=spec.text,
            audience=spec.audience if spec.audience == "public" else tuple(spec.audience),
            source="schedule",
        )
        for eff in inj.effects:
            self.change(eff, f"inject:{spec.id}")
        self._reveal(spec.reveals, spec.audience, f"inject:{spec.id}")

    def _reveal(self, names: Sequence[str], audience: Sequence[str] | str, source: str) -> None:
        """Tell ``audience`` the current values of ``names``."""
        if names:
            values = self.state.values
            self.emit(
                Revealed,
                audience="public" if audience == "public" else tuple(audience),
                values={canonical_name(n): values[canonical_name(n)] for n in names},
                source=source,
            )

    def _land(
        self, delay: float, batch: list[tuple[str, tuple[BoundEffect, ...]]]
    ) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(delay)
        state = self.state
        for source, effects in batch:
            for eff in effects:
                if state.outcome is not None:
                    return
                self.change(eff, source)

    def _recheck(self, trigger: CompiledTrigger) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(trigger.spec.cooldown)
        if self.state.outcome is None:
            try:
                self.check([trigger])
            except (ArithmeticError, ValueError) as exc:
                raise self._condition_failed([trigger], exc) from None

    # -- changes -------------------------------------------------------------------------------
    def emit(self, cls: type[Event], **fields: Any) -> None:
        # seq, t and round are stamped here so that no caller can get them wrong.
        if "round" not in fields:
            fields["round"] = self.state.round
        self.push(cls(seq=len(self.log), t=float(self.env.now), **fields))

    def push(self, event: Event) -> None:
        # _emit stamps seq, t and round; the hottest emitters (moves, rulings, effects) build
        # their events the same way without the keyword round trip.
        state = self.state
        moved = event.t != state.t
        self.log.append(event)
        apply(state, event)
        if self.listeners:
            for listener in self.listeners:
                listener(event)
        if moved:
            watchers = self._watch.get("t")
            if watchers:
                try:
                    self.check(watchers)
                except (ArithmeticError, ValueError) as exc:
                    raise self._condition_failed(watchers, exc) from None

    def change(self, effect: BoundEffect, source: str) -> None:
        state = self.state
        if state.outcome is not None:
            return
        new, delta = effect_result(state.values, self.world.ranges, effect)
        if new != new:  # NaN: the amount was no finite number; a log must never hold one
            rec = state.moves.get(source)
            origin = source if rec is None else f"move:{rec.move}"
            raise non_finite(self.world, state, effect.amount, ("effect", origin, effect.name))
        if new == state.values[effect.name] and delta == 0:
            return
        self.push(
            EffectApplied(
                seq=len(self.log),
                t=float(self.env.now),
                round=state.round,
                source=source,
                name=effect.name,
                value=new,
                delta=delta,
            )
        )
        watchers = self._watch.get(effect.name)
        if watchers:
            try:
                self.check(watchers)
            except (ArithmeticError, ValueError) as exc:
                raise self._condition_failed(watchers, exc) from None

    def _condition_failed(
        self, watchers: Iterable[CompiledTrigger | CompiledEnd], exc: Exception
    ) -> Exception:
        """What to raise when checking ``watchers`` raised ``exc``: a :class:`NonFinite` naming
        the condition that cannot be computed now (one mixing an integer too large for a float
        with a float, ``round(x, nan)``), else ``exc`` itself."""
        if isinstance(exc, NonFinite):
            return exc
        for item in watchers:
            try:
                item.when.fn(self.state.values)
            except (ArithmeticError, ValueError):
                kind = "end" if isinstance(item, CompiledEnd) else "trigger"
                return non_finite(self.world, self.state, item.when, ("when", kind, item.spec.id))
        return exc

    def check(self, watchers: Iterable[CompiledTrigger | CompiledEnd]) -> None:
        state = self.state
        values = state.values
        for item in watchers:
            if state.outcome is not None:
                return
            if isinstance(item, CompiledEnd):
                if item.when.fn(values):
                    self.emit(
                        Ended, outcome=item.spec.id, title=item.spec.title, reason="condition"
                    )
                continue
            spec = item.spec
            last = state.fired.get(spec.id)
            if last is not None and (
                not spec.repeat or self.env.now - last < spec.cooldown or self.env.now == last
            ):
                continue
            if not item.when.fn(values):
                continue
            self.emit(TriggerFired, id=spec.id)
            if spec.repeat:
                # Triggers are re-checked when a name they read changes; one that keeps holding
                # with nothing changing must still fire again once its cooldown is over.
                self.env.process(self._recheck(item))
            if spec.inject is not None:
                inj = spec.inject
                self.emit(
                    InjectDelivered,
                    id=f"trigger.{spec.id}",
                    title=inj.title,
                    text=inj.text,
                    audience=inj.audience if inj.audience == "public" else tuple(inj.audience),
                    source="trigger",
                )
            for eff in item.effects:
                self.change(eff, f"trigger:{spec.id}")
            if spec.inject is not None:
                self._reveal(spec.inject.reveals, spec.inject.audience, f"inject:trigger.{spec.id}")
