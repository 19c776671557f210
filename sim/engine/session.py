"""The session API: the one way any front end (TUI, headless runner, batch, tests) plays a game.

A session owns a SimPy environment (time only), the event log (the truth) and the state folded
from it. Front ends submit *inputs* — orders, control actions, "close the round" — and read *views*.
Every accepted input is handed to ``recorder`` before it takes effect, which is how the archive
makes "nothing lost" true.

Round ``r`` is a decision window at sim time ``(r-1) * round_hours``. Closing it records every
seat's orders in a canonical order (so the result never depends on who submitted first), rules on
each move with keyed randomness, then lets SimPy run the interval: scheduled injects fire, move
effects land after their durations, triggers and end conditions are checked after every change.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import simpy

from sim import __version__
from sim.engine.adjudicate import Ruling, breached, effect_result, illegal, rule
from sim.engine.events import (
    AgreementMade,
    Answered,
    Breach,
    ControlNote,
    EffectApplied,
    Ended,
    Event,
    FactionShift,
    InjectDelivered,
    MessageSent,
    MoveMade,
    Outcome,
    Overridden,
    ProposalClosed,
    Resolved,
    RoundClosed,
    Seat,
    SeatChanged,
    TriggerFired,
)
from sim.engine.expr import ExprError, compile_expr, suggest
from sim.engine.policy import Decision, Policy, make_policy
from sim.engine.rng import Stream
from sim.engine.state import State, apply
from sim.engine.view import View
from sim.engine.world import BoundEffect, CompiledEnd, CompiledInject, CompiledTrigger, World
from sim.models import Effect, Orders

LOG_FORMAT = "sitroom-log/1"
Input = dict[str, Any]


class IllegalInput(ValueError):
    """An input the rules refuse; ``problems`` says what and how to fix it. Nothing changed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Header:
    """The log's first line: what is needed to re-run the session."""

    scenario: str
    scenario_ref: str
    scenario_hash: str
    seed: int
    seats: dict[str, Seat]
    engine: str = __version__
    format: str = LOG_FORMAT

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "format": self.format,
            "engine": self.engine,
            "scenario": self.scenario,
            "scenario_ref": self.scenario_ref,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "seats": dict(self.seats),
        }


class Session:
    """One run of a scenario."""

    def __init__(
        self,
        world: World,
        seed: int,
        seats: Mapping[str, Seat] | None = None,
        *,
        scenario_ref: str | None = None,
        recorder: Callable[[Input], None] | None = None,
        listeners: Iterable[Callable[[Event], None]] = (),
        lean: bool = False,
    ) -> None:
        seats = dict(seats or {})
        problems = [
            f"unknown actor '{a}'{suggest(a, world.actors)}" for a in seats if a not in world.actors
        ]
        problems += [
            f"{a}: a seat is human, computer or script, not {s!r}"
            for a, s in seats.items()
            if s not in ("human", "computer", "script")
        ]
        if problems:
            raise IllegalInput(problems)
        self.world = world
        self.seed = seed
        self.seats: dict[str, Seat] = {a: seats.get(a, "computer") for a in world.actors}
        self.header = Header(
            world.id, scenario_ref or world.id, world.content_hash, seed, dict(self.seats)
        )
        self.recorder = recorder
        self.listeners = list(listeners)
        self.lean = lean
        """A session that will be boiled down to numbers (batch runs): computer players leave
        out their rationale lines and rounds close without a state hash. Nothing else differs,
        so its outcome and state are those of the same run played in full."""
        self.log: list[Event] = []
        self.state = State.initial(world)
        self.env = simpy.Environment()
        self._orders: dict[str, Orders] = {}
        self._policies: dict[str, Policy] = {}
        self._terms: dict[str, tuple[BoundEffect, ...]] = {}
        self._landing: dict[float, list[tuple[str, tuple[BoundEffect, ...]]]] = {}
        self._injects_this_round = 0
        self._watch: dict[str, list[CompiledTrigger | CompiledEnd]] = {}
        for trig in world.triggers:
            for name in trig.when.names or {"t"}:
                self._watch.setdefault(name, []).append(trig)
        for end in world.ends:
            if end.spec.immediate:
                for name in end.when.names or {"t"}:
                    self._watch.setdefault(name, []).append(end)
        self.env.process(self._injects())
        self._advance(0.0)
        self._check(list(world.triggers) + [e for e in world.ends if e.spec.immediate])

    # -- reading -------------------------------------------------------------------------------
    @property
    def round(self) -> int:
        """The round whose decision window is open."""
        return self.state.round

    @property
    def rounds(self) -> int:
        """Rounds in the scenario."""
        return self.world.scenario.clock.rounds

    @property
    def t(self) -> float:
        """Sim hours since the start."""
        return self.state.t

    @property
    def over(self) -> bool:
        """Whether an end state was reached."""
        return self.state.outcome is not None

    def view(self, actor: str | None) -> View:
        """What ``actor`` sees now (None: the control seat sees everything)."""
        if actor is not None and actor not in self.world.actors:
            raise IllegalInput([f"unknown actor '{actor}'{suggest(actor, self.world.actors)}"])
        return View(actor, self.world, self.state, self.log)

    def submitted(self, actor: str) -> Orders | None:
        """The orders ``actor`` has submitted this round, if any."""
        return self._orders.get(actor)

    def waiting_for(self) -> list[str]:
        """Human and script seats that have not submitted this round."""
        return [a for a, s in self.seats.items() if s != "computer" and a not in self._orders]

    # -- inputs --------------------------------------------------------------------------------
    def apply_input(self, inp: Input, *, trusted: bool = False) -> None:
        """Perform a recorded input (used to resume and replay); see :meth:`submit`."""
        op = inp["op"]
        if op == "submit":
            self.submit(inp["actor"], Orders.model_validate(inp["orders"]), trusted=trusted)
        elif op == "override":
            self.override(inp["mid"], inp["outcome"], inp.get("note", ""))
        elif op == "inject":
            self.inject(
                inp["title"],
                inp.get("text", ""),
                inp.get("audience", "public"),
                [Effect.model_validate(e) for e in inp.get("effects", [])],
            )
        elif op == "pause":
            self.pause(inp.get("note", ""))
        elif op == "resume":
            self.resume()
        elif op == "seat":
            self.set_seat(inp["actor"], inp["seat"])
        elif op == "close":
            self.close_round()
        else:
            raise IllegalInput([f"unknown input '{op}'"])

    def _record(self, inp: Input) -> None:
        if self.recorder is not None:
            self.recorder(inp)

    def _require_open(self) -> None:
        if self.over:
            raise IllegalInput([f"the exercise has ended ({self.state.outcome})"])

    def check(self, actor: str, orders: Orders) -> list[str]:
        """Every reason these orders would be refused (empty when they are legal)."""
        w, st = self.world, self.state
        if actor not in w.actors:
            return [f"unknown actor '{actor}'{suggest(actor, w.actors)}"]
        problems = []
        per_round = w.scenario.moves.per_round
        if len(orders.moves) > per_round:
            problems.append(
                f"{actor} may make at most {per_round} move(s) a round, got {len(orders.moves)}"
            )
        seen = set()
        for i, mo in enumerate(orders.moves, 1):
            if mo.move not in w.moves:
                problems.append(f"move {i}: unknown move '{mo.move}'{suggest(mo.move, w.moves)}")
                continue
            if (mo.move, mo.target) in seen:
                problems.append(f"move {i}: '{mo.move}' is listed twice")
            seen.add((mo.move, mo.target))
            reason = illegal(w, st, actor, mo.move, mo.target)
            if reason:
                problems.append(f"move {i}: {reason}")
        for i, msg in enumerate(orders.messages, 1):
            problems.extend(f"message {i}: {p}" for p in self._check_message(actor, msg))
        answered = set()
        for ans in orders.answers:
            prop = st.proposals.get(ans.proposal)
            if prop is None:
                problems.append(
                    f"answer: no open proposal '{ans.proposal}'"
                    f"{suggest(ans.proposal, st.proposals)}"
                )
            elif actor not in prop.parties or actor == prop.sender:
                problems.append(f"answer: {actor} is not asked to answer '{ans.proposal}'")
            elif actor in prop.answers or ans.proposal in answered:
                problems.append(f"answer: {actor} has already answered '{ans.proposal}'")
            answered.add(ans.proposal)
        return problems

    def _check_message(self, actor: str, msg: Any) -> list[str]:
        w = self.world
        problems = []
        if msg.to != "public":
            for a in msg.to:
                if a not in w.actors or a == actor:
                    problems.append(
                        f"cannot send to '{a}'{suggest(a, [x for x in w.actors if x != actor])}"
                    )
        if msg.proposal is not None:
            if msg.to == "public":
                problems.append("a proposal needs named recipients, not 'public'")
            for eff in msg.proposal.terms.effects:
                try:
                    self._compile_effect(eff)
                except IllegalInput as exc:
                    problems.extend(f"proposal effect: {p}" for p in exc.problems)
            tags = {t for m in w.moves.values() for t in m.type.tags} | set(w.moves)
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

    def submit(self, actor: str, orders: Orders, *, trusted: bool = False) -> None:
        """Set ``actor``'s orders for this round (replacing earlier ones); refuse illegal ones.

        ``trusted`` skips the legality check, for orders replayed from a log: they were legal
        when made, and a control inject replayed before them must not make them look illegal.
        """
        self._require_open()
        if actor in self.seats and self.seats[actor] == "computer":
            raise IllegalInput([f"{actor} is played by the computer"])
        problems = [] if trusted else self.check(actor, orders)
        if problems:
            raise IllegalInput(problems)
        self._record(
            {
                "op": "submit",
                "actor": actor,
                "orders": orders.model_dump(mode="json", exclude_defaults=True),
            }
        )
        self._orders[actor] = orders

    def override(self, mid: str, outcome: Outcome, note: str = "") -> None:
        """Control forces the outcome of a move of this round (see :meth:`preview`)."""
        self._require_open()
        if outcome not in ("success", "failure", "cancelled"):
            raise IllegalInput([f"outcome must be success, failure or cancelled, not {outcome!r}"])
        mids = {r.mid for r in self.preview()}
        if mid not in mids:
            raise IllegalInput([f"no move '{mid}' this round{suggest(mid, mids)}"])
        self._record({"op": "override", "mid": mid, "outcome": outcome, "note": note})
        self._emit(Overridden, mid=mid, outcome=outcome, note=note)

    def inject(
        self, title: str, text: str = "", audience: Any = "public", effects: Iterable[Effect] = ()
    ) -> None:
        """Control delivers an ad hoc inject now."""
        self._require_open()
        w = self.world
        aud = audience if audience == "public" else tuple(audience)
        problems = [
            f"unknown actor '{a}'{suggest(a, w.actors)}"
            for a in ([] if aud == "public" else aud)
            if a not in w.actors
        ]
        bound = []
        for eff in effects:
            try:
                bound.append(self._compile_effect(eff))
            except IllegalInput as exc:
                problems.extend(exc.problems)
        if not title.strip():
            problems.append("an inject needs a title")
        if problems:
            raise IllegalInput(problems)
        self._record(
            {
                "op": "inject",
                "title": title,
                "text": text,
                "audience": aud if aud == "public" else list(aud),
                "effects": [e.model_dump(mode="json", exclude_none=True) for e in effects],
            }
        )
        # Numbered per round, not by log position, which would tell how much is hidden.
        iid = f"control.{self.round}.{self._injects_this_round + 1}"
        self._injects_this_round += 1
        self._emit(InjectDelivered, id=iid, title=title, text=text, audience=aud, source="control")
        for b in bound:
            self._change(b, f"inject:{iid}")

    def pause(self, note: str = "") -> None:
        """Control pauses: rounds cannot close until resumed."""
        self._require_open()
        if not self.state.paused:
            self._record({"op": "pause", "note": note})
            self._emit(ControlNote, action="pause", note=note)

    def set_seat(self, actor: str, seat: Seat) -> None:
        """Control hands ``actor``'s seat to a human, the computer or a script from now on."""
        self._require_open()
        if actor not in self.world.actors:
            raise IllegalInput([f"unknown actor '{actor}'{suggest(actor, self.world.actors)}"])
        if seat not in ("human", "computer", "script"):
            raise IllegalInput([f"a seat is human, computer or script, not {seat!r}"])
        if self.seats[actor] == seat:
            return
        self._record({"op": "seat", "actor": actor, "seat": seat})
        self.seats[actor] = seat
        self._orders.pop(actor, None)
        self._emit(SeatChanged, actor=actor, seat=seat)

    def resume(self) -> None:
        """Control resumes after a pause."""
        if self.state.paused:
            self._record({"op": "resume"})
            self._emit(ControlNote, action="resume")

    # -- adjudication --------------------------------------------------------------------------
    def _decisions(self, commit: bool) -> dict[str, Decision]:
        """Computer seats' decisions for this round, each from its own view of the state now.

        Only the decisions made when the round closes (``commit``) may advance a policy's
        memory; a preview decides with forks of the policies, so looking at the adjudication
        (the control screen does it on every redraw) can never change the game.
        """
        out = {}
        for actor, seat in self.seats.items():
            if seat != "computer":
                continue
            policy = self._policies.get(actor)
            if policy is None:
                model = self.world.models.get(actor)
                policy = make_policy(model.policy if model else "baseline", self.world, actor)
                if self.lean and hasattr(policy, "explain_moves"):
                    policy.explain_moves = False
                self._policies[actor] = policy
            if not commit:
                fork = getattr(policy, "fork", None)
                policy = fork() if fork is not None else policy
            rng = Stream(self.seed, "policy", actor, self.round)
            out[actor] = policy.decide(View(actor, self.world, self.state, self.log), rng)
        return out

    def _round_orders(
        self, commit: bool = False
    ) -> list[tuple[str, Orders, Seat, tuple[str, ...]]]:
        decisions = self._decisions(commit)
        out: list[tuple[str, Orders, Seat, tuple[str, ...]]] = []
        for actor in self.world.actors:
            seat = self.seats[actor]
            if seat == "computer":
                d = decisions[actor]
                out.append((actor, d.orders, seat, d.rationale))
            else:
                out.append((actor, self._orders.get(actor, Orders()), seat, ()))
        return out

    def preview(self) -> list[Ruling]:
        """How this round's moves would be ruled if it closed now (nothing is committed)."""
        rulings = []
        for actor, orders, _seat, _why in self._round_orders():
            for i, mo in enumerate(orders.moves, 1):
                mid = f"m{self.round}.{actor}.{i}"
                bound = self.world.bound_move(actor, mo.move, mo.target)
                rulings.append(rule(self.world, self.state, self.seed, mid, bound))
        return rulings

    def close_round(self) -> list[Event]:
        """Commit this round's orders and run the interval to the next decision point.

        Returns the events of the round, in order.
        """
        self._require_open()
        if self.state.paused:
            raise IllegalInput(["the exercise is paused; resume it first"])
        for actor in self.waiting_for():
            if self.seats[actor] == "human":
                pass  # a human seat that submits nothing passes the round
        self._record({"op": "close"})
        start = len(self.log)
        r, w = self.round, self.world
        t0 = self.env.now
        pending: list[tuple[str, Any]] = []
        for actor, orders, seat, why in self._round_orders(commit=True):
            for i, mo in enumerate(orders.moves, 1):
                mid = f"m{r}.{actor}.{i}"
                mt = w.moves[mo.move].type
                self._push(
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
            for j, msg in enumerate(orders.messages, 1):
                proposal = None
                if msg.proposal is not None:
                    pid = f"p{r}.{actor}.{j}"
                    proposal = {
                        "id": pid,
                        "title": msg.proposal.title,
                        "terms": msg.proposal.terms.model_dump(mode="json"),
                        "expires": r + msg.proposal.expires_after,
                    }
                self._emit(
                    MessageSent,
                    mid=f"c{r}.{actor}.{j}",
                    sender=actor,
                    to=msg.to if msg.to == "public" else tuple(msg.to),
                    text=msg.text,
                    by=seat,
                    proposal=proposal,
                )
            for ans in orders.answers:
                self._emit(Answered, actor=actor, proposal=ans.proposal, accept=ans.accept, by=seat)
        self._landing = {}
        for mid, bound in pending:
            if self.over:
                break
            self._resolve(mid, bound, t0)
        # One SimPy process per landing time, in canonical move order: the same order as one
        # process per move (SimPy runs same-time events first-in, first-out), fewer events.
        for delay, batch in self._landing.items():
            self.env.process(self._land(delay, batch))
        self._settle_proposals(r)
        self._advance(t0 + w.scenario.clock.round_hours)
        self._shift_factions()
        self._emit(RoundClosed, hash="" if self.lean else self.state.digest())
        if not self.over and r >= self.rounds:
            self._final_outcome()
        self._orders = {}
        self._injects_this_round = 0
        return self.log[start:]

    def _resolve(self, mid: str, bound: Any, t0: float) -> None:
        ruling = rule(self.world, self.state, self.seed, mid, bound)
        mt = bound.spec.type
        self._push(
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
            self._emit(
                Breach,
                agreement=ag,
                actor=bound.actor,
                mid=mid,
                move=mt.id,
                parties=agreement.parties,
            )
            penalty = self.world.scenario.relations.breach_penalty
            known = self.state.moves[mid].known_by
            for other in agreement.parties:
                # A secret move breaks a promise only in the eyes of those who detected it.
                if other != bound.actor and (mt.visibility != "secret" or other in known):
                    a, b = sorted((bound.actor, other))
                    self._change(
                        BoundEffect(f"trust.{a}.{b}", "add", compile_expr(-penalty, ())),
                        f"breach:{ag}",
                    )
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
                self._emit(ProposalClosed, id=pid, status="rejected", parties=prop.parties)
            elif all(prop.answers.get(p) for p in prop.parties):
                commitments = tuple(
                    {
                        "forbid": list(c["forbid"]),
                        "bound": c["bound"] if c["bound"] == "all" else list(c["bound"]),
                        "until": self.t + c["hours"],
                        "label": c.get("label", ""),
                    }
                    for c in prop.terms.get("commitments", [])
                )
                self._emit(
                    AgreementMade,
                    id=pid,
                    title=prop.title,
                    parties=prop.parties,
                    commitments=commitments,
                )
                for eff in prop.terms.get("effects", []):
                    self._change(
                        self._compile_effect(Effect.model_validate(eff)), f"agreement:{pid}"
                    )
            elif r >= prop.expires:
                self._emit(ProposalClosed, id=pid, status="expired", parties=prop.parties)

    def _compile_effect(self, eff: Effect) -> BoundEffect:
        """Check and compile an effect typed at run time (proposal terms, control injects), so
        a bad one is refused before anything is recorded rather than failing mid-round."""
        w = self.world
        if eff.name not in w.names or eff.name in ("round", "t"):
            raise IllegalInput([f"unknown state name '{eff.name}'{suggest(eff.name, w.names)}"])
        amount = eff.by if eff.change is not None else eff.to
        assert amount is not None
        is_flag = isinstance(w.initial[eff.name], bool)
        if is_flag and eff.change is not None:
            raise IllegalInput([f"'{eff.name}' is a flag: use set with true or false"])
        if is_flag and not isinstance(amount, bool | str):
            raise IllegalInput([f"'{eff.name}' is a flag: set it to true or false"])
        if not is_flag and isinstance(amount, bool):
            raise IllegalInput([f"'{eff.name}' is a number: give a number, not {amount}"])
        try:
            expr = compile_expr(amount, w.known, w.names)
        except ExprError as exc:
            raise IllegalInput([f"effect on '{eff.name}': {exc.message}"]) from None
        return BoundEffect(eff.name, "add" if eff.change is not None else "set", expr)

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
                    self._emit(FactionShift, actor=actor, faction=fid, weight=new)

    def _final_outcome(self) -> None:
        values = self.state.values
        for end in self.world.ends:
            if end.when(values):
                self._emit(
                    Ended,
                    round=self.rounds,
                    outcome=end.spec.id,
                    title=end.spec.title,
                    reason="clock",
                )
                return
        self._emit(
            Ended,
            round=self.rounds,
            outcome="unresolved",
            title="No end condition held",
            reason="clock",
        )

    # -- time ----------------------------------------------------------------------------------
    def _advance(self, until: float) -> None:
        env = self.env
        while not self.over and env.peek() <= until:
            env.step()
        if not self.over and env.now < until:
            env.run(until=until)

    def _injects(self) -> Generator[simpy.Event, Any, None]:
        for inj in self.world.injects:
            delay = inj.spec.at - self.env.now
            if delay > 0:
                yield self.env.timeout(delay)
            if self.over:
                return
            self._deliver(inj)

    def _deliver(self, inj: CompiledInject) -> None:
        spec = inj.spec
        self._emit(
            InjectDelivered,
            id=spec.id,
            title=spec.title,
            text=spec.text,
            audience=spec.audience if spec.audience == "public" else tuple(spec.audience),
            source="schedule",
        )
        for eff in inj.effects:
            self._change(eff, f"inject:{spec.id}")

    def _land(
        self, delay: float, batch: list[tuple[str, tuple[BoundEffect, ...]]]
    ) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(delay)
        state = self.state
        for source, effects in batch:
            for eff in effects:
                if state.outcome is not None:
                    return
                self._change(eff, source)

    def _recheck(self, trigger: CompiledTrigger) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(trigger.spec.cooldown)
        if not self.over:
            self._check([trigger])

    # -- changes -------------------------------------------------------------------------------
    def _emit(self, cls: type[Event], **fields: Any) -> None:
        # seq, t and round are stamped here so that no caller can get them wrong.
        if "round" not in fields:
            fields["round"] = self.state.round
        self._push(cls(seq=len(self.log), t=float(self.env.now), **fields))

    def _push(self, event: Event) -> None:
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
                self._check(watchers)

    def _change(self, effect: BoundEffect, source: str) -> None:
        state = self.state
        if state.outcome is not None:
            return
        new, delta = effect_result(state.values, self.world.ranges, effect)
        if new == state.values[effect.name] and delta == 0:
            return
        self._push(
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
            self._check(watchers)

    def _check(self, watchers: Iterable[CompiledTrigger | CompiledEnd]) -> None:
        state = self.state
        values = state.values
        for item in watchers:
            if state.outcome is not None:
                return
            if isinstance(item, CompiledEnd):
                if item.when.fn(values):
                    self._emit(
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
            self._emit(TriggerFired, id=spec.id)
            if spec.repeat:
                # Triggers are re-checked when a name they read changes; one that keeps holding
                # with nothing changing must still fire again once its cooldown is over.
                self.env.process(self._recheck(item))
            if spec.inject is not None:
                inj = spec.inject
                self._emit(
                    InjectDelivered,
                    id=f"trigger.{spec.id}",
                    title=inj.title,
                    text=inj.text,
                    audience=inj.audience if inj.audience == "public" else tuple(inj.audience),
                    source="trigger",
                )
            for eff in item.effects:
                self._change(eff, f"trigger:{spec.id}")
