"""The profile-driven computer player.

Each round it scores every move the actor may take by the change it expects in its weighted
interests, using the engine's own effect model (``sim.adjudicate.effect_result`` semantics:
amounts on the current state, clamped to declared ranges), then tempers the score by the actor's
risk tolerance and escalation tendency and its preferred instruments. A crossed red line forces
its response. It chooses with the engine's seeded stream (a softmax over scores), so play varies
by seed yet replays exactly, and records a one-line rationale per move.

Interest weights are a mixture over the actor's factions: each faction multiplies some interests,
and the factions' influence (which the engine shifts with events) sets the mix. This is how the
disputed ranking of China's priorities (S2 against E7/E8) is modelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.expr import Value
from sim.models import Orders
from sim.models.script import AnswerOrder, MessageOrder, MoveOrder
from sim.policy import Decision, register
from sim.rng import Stream
from sim.view import View
from sim.world import ActorModel, BoundEffect, World

TEMPERATURE = 0.004
"""Softmax temperature in utility units (a full-range swing of a weight-1 interest is 1.0)."""
ESCALATION_SCALE = 0.012
"""Utility per escalation level at the extremes of the escalation tendency."""
INSTRUMENT_BONUS = 0.004
"""Extra utility for a preferred category or favoured move."""
RED_LINE_MEMORY = 3
"""Rounds after a red-line response before the same red line forces another."""
MESSAGE_EVERY = 3
"""Rounds between repeats of the same message rule."""


@dataclass(frozen=True, slots=True)
class Option:
    """A legal move and target with what it is worth to the actor."""

    move: str
    target: str | None
    score: float
    utility: float
    parts: tuple[tuple[str, float], ...]


def _delta(values: Mapping[str, Value], ranges: Mapping[str, tuple[float, float]],
           eff: BoundEffect) -> float:
    old = values[eff.name]
    amount = eff.amount.constant if eff.amount.constant is not None else eff.amount(values)
    if isinstance(old, bool):
        return float(bool(amount)) - float(old)
    new = float(old) + float(amount) if eff.op == "add" else float(amount)
    lo, hi = ranges[eff.name]
    new = lo if new < lo else hi if new > hi else new
    return new - float(old)


@register("profile")
class ProfilePolicy:
    """Plays an actor by its profile: interests, red lines, instruments, tendencies, factions."""

    def __init__(self, world: World, actor: str) -> None:
        self.world = world
        self.actor = actor
        self.model: ActorModel = world.models[actor]
        self.short = self.model.profile.short
        inst = self.model.profile.instruments
        self.categories = frozenset(inst.categories) if inst else frozenset()
        self.favoured = frozenset(inst.moves) if inst else frozenset()
        self.red_line_round: dict[str, int] = {}
        self.message_round: dict[int, int] = {}
        self.labels = {i.id: i.label for i, _w, _x in self.model.interests}
        # Names any interest measures: effects on other names cannot change the utility, so the
        # look-ahead skips them (most moves touch a few names an actor does not weigh).
        self.support = frozenset(n for _i, _w, wants in self.model.interests for n, _s in wants)
        self._relevant: dict[tuple[str, str | None], tuple[tuple[BoundEffect, ...],
                                                             tuple[BoundEffect, ...]]] = {}

    # -- utility ---------------------------------------------------------------------------
    def weights(self, factions: Mapping[str, float]) -> dict[str, float]:
        """Effective interest weights: base weight times the faction-weighted multiplier."""
        total = sum(factions.values())
        out = {}
        for interest, weight, _wants in self.model.interests:
            mult = 1.0
            if total > 0:
                mult = sum(factions[fid] * mults.get(interest.id, 1.0)
                           for fid, _w0, mults, _s in self.model.factions) / total
            out[interest.id] = weight * mult
        return out

    def gradient(self, weights: Mapping[str, float]) -> dict[str, list[tuple[str, float]]]:
        """State name -> [(interest id, utility per unit change)]."""
        grad: dict[str, list[tuple[str, float]]] = {}
        for interest, _w, wants in self.model.interests:
            w = weights[interest.id]
            if w == 0:
                continue
            for name, signed in wants:
                grad.setdefault(name, []).append((interest.id, w * signed))
        return grad

    def relevant(self, move: str, target: str | None) -> tuple[tuple[BoundEffect, ...],
                                                               tuple[BoundEffect, ...]]:
        key = (move, target)
        hit = self._relevant.get(key)
        if hit is None:
            bound = self.world.bound_move(self.actor, move, target)
            hit = (tuple(e for e in bound.effects if e.name in self.support),
                   tuple(e for e in bound.on_failure if e.name in self.support))
            self._relevant[key] = hit
        return hit

    def evaluate(self, values: Mapping[str, Value], move: str, target: str | None,
                 grad: Mapping[str, list[tuple[str, float]]]) -> Option:
        """Score one option: expected utility, risk-adjusted, tempered by escalation."""
        world, model = self.world, self.model
        bound = world.bound_move(self.actor, move, target)
        spec = bound.spec.type
        chance = bound.chance.constant if bound.chance.constant is not None \
            else bound.chance(values)
        p = 0.0 if chance < 0 else 1.0 if chance > 1 else float(chance)
        win, lose = self.relevant(move, target)
        parts: dict[str, float] = {}
        u_win = u_lose = 0.0
        ranges = world.ranges
        for effects, is_win in ((win, True), (lose, False)):
            for eff in effects:
                d = _delta(values, ranges, eff)
                if d == 0:
                    continue
                for iid, g in grad.get(eff.name, ()):
                    contrib = g * d
                    if is_win:
                        u_win += contrib
                        parts[iid] = parts.get(iid, 0.0) + p * contrib
                    else:
                        u_lose += contrib
                        parts[iid] = parts.get(iid, 0.0) + (1 - p) * contrib
        utility = p * u_win + (1 - p) * u_lose
        # Risk aversion: penalise the spread between success and failure.
        score = utility - (1 - model.risk_tolerance) * p * (1 - p) * abs(u_win - u_lose)
        score += spec.escalation / 10 * ESCALATION_SCALE * (model.escalation - 0.5) * 2
        if spec.category in self.categories:
            score += INSTRUMENT_BONUS
        if move in self.favoured:
            score += INSTRUMENT_BONUS
        top = tuple(sorted(parts.items(), key=lambda kv: -abs(kv[1]))[:2])
        return Option(move, target, score, utility, top)

    # -- decisions -------------------------------------------------------------------------
    def decide(self, view: View, rng: Stream) -> Decision:
        """Red-line responses first, then the best-scoring moves, answers and messages."""
        from sim.adjudicate import illegal

        world, state, actor = self.world, view.state, self.actor
        values = state.values
        r = state.round
        grad = self.gradient(self.weights(state.factions.get(actor, {})))
        per_round = world.scenario.moves.per_round
        chosen: list[tuple[str, str | None]] = []
        why: list[str] = []

        for rid, cond, responses, aim in self.model.red_lines:
            if len(chosen) >= per_round or not cond(values):
                continue
            if r - self.red_line_round.get(rid, -RED_LINE_MEMORY) < RED_LINE_MEMORY:
                continue
            for move in responses:
                legal = [t for t in world.targets(actor, move)
                         if illegal(world, state, actor, move, t) is None]
                target = aim if aim in legal else legal[0] if legal else ""
                if target != "" and (move, target) not in chosen:
                    chosen.append((move, target))
                    self.red_line_round[rid] = r
                    why.append(f"{self.short}: {world.moves[move].type.name}: red line "
                               f"'{rid}' crossed")
                    break

        options = []
        for move in world.usable[actor]:
            targets = world.targets(actor, move)
            for target in targets:
                if (move, target) in chosen:
                    continue
                if illegal(world, state, actor, move, target) is not None:
                    continue
                options.append(self.evaluate(values, move, target, grad))
        while len(chosen) < per_round and options:
            best = max(o.score for o in options)
            if chosen and best <= 0:
                break  # a second move only when it is worth making
            weights = [math.exp((o.score - best) / TEMPERATURE) for o in options]
            pick = rng.weighted(options, weights)
            options = [o for o in options if o is not pick]
            chosen.append((pick.move, pick.target))
            why.append(self.rationale(pick))

        answers = [self.answer(view, p.id, grad) for p in view.awaiting_answer]
        messages = self.messages(values, r)
        return Decision(Orders(moves=[MoveOrder(move=m, target=t) for m, t in chosen],
                               answers=answers, messages=messages), tuple(why))

    def rationale(self, option: Option) -> str:
        """One line: the move and the interests that drove it."""
        name = self.world.moves[option.move].type.name
        target = f" -> {option.target}" if option.target else ""
        parts = ", ".join(f"{self.labels.get(i, i)} {v:+.3f}" for i, v in option.parts)
        esc = self.world.moves[option.move].type.escalation
        return f"{self.short}: {name}{target}: {parts or 'no direct interest effect'} " \
               f"(esc {esc}, score {option.score:+.3f})"

    def answer(self, view: View, pid: str,
               grad: Mapping[str, list[tuple[str, float]]]) -> AnswerOrder:
        """Accept a proposal whose terms are worth more than the freedom its commitments cost."""
        prop = view.state.proposals[pid]
        values = view.state.values
        utility = 0.0
        for eff in prop.terms.get("effects", []):
            name = eff.get("change") or eff.get("set")
            amount = eff.get("by", eff.get("to", 0))
            if name in grad and isinstance(amount, int | float) and not isinstance(amount, bool):
                delta = float(amount) if "change" in eff else float(amount) - float(values[name])
                utility += sum(g for _i, g in grad[name]) * delta
        forbidden = {f for c in prop.terms.get("commitments", []) for f in c["forbid"]}
        if forbidden:
            # Giving up options costs an escalation-prone actor more.
            lost = sum(1 for m in self.world.usable[self.actor]
                       if m in forbidden or set(self.world.moves[m].type.tags) & forbidden)
            utility -= lost * 0.004 * self.model.escalation
        a, b = sorted((self.actor, prop.sender))
        trust = float(values.get(f"trust.{a}.{b}", 50.0))
        utility += (trust - 50) / 50 * 0.01
        return AnswerOrder(proposal=pid, accept=utility >= 0)

    def messages(self, values: Mapping[str, Value], r: int) -> list[MessageOrder]:
        """At most one profile message a round, each rule repeated at most every few rounds."""
        for i, (cond, to, text) in enumerate(self.model.messages):
            if r - self.message_round.get(i, -MESSAGE_EVERY) < MESSAGE_EVERY:
                continue
            if cond(values):
                self.message_round[i] = r
                return [MessageOrder(to=to if to == "public" else list(to), text=text)]
        return []
