"""The session API: the one way any front end (TUI, headless runner, batch, tests) plays a game.

A session holds the seats (human, computer or script), this round's submitted orders and the
:class:`~sim.engine.kernel.Kernel` that owns the log, the state and the clock. Front ends send it
*inputs* (:mod:`sim.engine.inputs`) — orders, control actions, "close the round" — and read
*views*. Every accepted input is handed to ``recorder`` before it takes effect, which is how the
archive makes "nothing lost" true; a journal of inputs rebuilds a session exactly.

Round ``r`` is a decision window at sim time ``(r-1) * round_hours``. Closing it records every
seat's orders in a canonical order (so the result never depends on who submitted first), rules on
each move with keyed randomness, then lets SimPy run the interval: scheduled injects fire, move
effects land after their durations, triggers and end conditions are checked after every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from sim import __version__
from sim.engine.adjudicate import Ruling, rule
from sim.engine.briefing import retell
from sim.engine.computer import ComputerSeats
from sim.engine.events import (
    ControlNote,
    Event,
    InjectDelivered,
    MessageSent,
    Outcome,
    Overridden,
    Seat,
    SeatChanged,
)
from sim.engine.expr import suggest
from sim.engine.inputs import (
    AdHocInject,
    Close,
    IllegalInput,
    Input,
    Override,
    Pause,
    Resume,
    Send,
    SetSeat,
    Submit,
    parse_input,
)
from sim.engine.kernel import Kernel, RoundOrders
from sim.engine.legality import (
    breach_warnings,
    check_audience,
    check_message,
    check_orders,
    runtime_effect,
    seat_problem,
)
from sim.engine.policy import Decision
from sim.engine.view import Feed, View, seat_view
from sim.engine.world import World
from sim.models import Effect, Orders
from sim.models.script import MessageOrder

__all__ = [
    "LOG_FORMAT",
    "Header",
    "IllegalInput",
    "Input",
    "Ruling",
    "Session",
    "rounds_problem",
    "with_rounds",
]

LOG_FORMAT = "sitroom-log/1"


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
    rounds: int | None = None
    """Rounds chosen for this session when not the scenario's (None: the scenario's)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; ``rounds`` only when chosen, so other sessions' logs are unchanged."""
        out: dict[str, Any] = {
            "format": self.format,
            "engine": self.engine,
            "scenario": self.scenario,
            "scenario_ref": self.scenario_ref,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "seats": dict(self.seats),
        }
        if self.rounds is not None:
            out["rounds"] = self.rounds
        return out


def rounds_problem(world: World, rounds: object) -> str | None:
    """Why ``rounds`` cannot be this session's number of rounds (None: it can).

    A scenario declares how many rounds it has and no other allowance, so a session may play
    fewer (a class with less time), never more: its injects and end conditions were written for
    that length at most.
    """
    most = world.scenario.clock.rounds
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 1 <= rounds <= most:
        return f"rounds must be a whole number from 1 to {most} (the scenario's), not {rounds!r}"
    return None


def with_rounds(world: World, rounds: int | None) -> World:
    """``world`` played for ``rounds`` rounds (None or the scenario's own: ``world`` itself).

    The copy shares everything compiled (moves, caches, the content hash: the scenario is the
    same); only its clock ends sooner, so the kernel, views and screens all read one number.
    """
    clock = world.scenario.clock
    if rounds is None or rounds == clock.rounds:
        return world
    problem = rounds_problem(world, rounds)
    if problem is not None:
        raise IllegalInput([problem])
    shorter = world.scenario.model_copy(
        update={"clock": clock.model_copy(update={"rounds": rounds})}
    )
    # Its briefings say the rounds it plays, not the scenario's (sim.engine.briefing).
    return retell(replace(world, scenario=shorter), clock.rounds)


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
        rounds: int | None = None,
    ) -> None:
        seats = dict(seats or {})
        declared = world.scenario.clock.rounds
        world = with_rounds(world, rounds)  # refuses a number outside 1..declared
        problems = [
            f"unknown actor '{a}'{suggest(a, world.actors)}" for a in seats if a not in world.actors
        ]
        problems += [f"{a}: {p}" for a, s in seats.items() if (p := seat_problem(s)) is not None]
        if problems:
            raise IllegalInput(problems)
        self.world = world
        self.seed = seed
        self.seats: dict[str, Seat] = {a: seats.get(a, "computer") for a in world.actors}
        self.header = Header(
            world.id,
            scenario_ref or world.id,
            world.content_hash,
            seed,
            dict(self.seats),
            rounds=None if rounds in (None, declared) else rounds,
        )
        self.recorder = recorder
        """Called with every accepted input before it takes effect."""
        self.lean = lean
        """A session that will be boiled down to numbers (batch runs): computer players leave
        out their rationale lines and rounds close without a state hash. Nothing else differs,
        so its outcome and state are those of the same run played in full."""
        self.kernel = Kernel(world, seed, listeners, lean=lean)
        self.log = self.kernel.log
        """Every event so far (the kernel's list: it only grows)."""
        self.state = self.kernel.state
        """The state folded from the log (the kernel's, changed in place)."""
        self.listeners = self.kernel.listeners
        """Called with every event as it is appended."""
        self.computer = ComputerSeats(world, seed, lean=lean)
        self._orders: dict[str, Orders] = {}
        self._injects_this_round = 0
        self._sent: dict[str, int] = {}
        self._feeds: dict[str | None, Feed] = {}

    # -- reading -------------------------------------------------------------------------------
    @property
    def round(self) -> int:
        """The round whose decision window is open."""
        return self.state.round

    @property
    def rounds(self) -> int:
        """Rounds in this session (the scenario's unless the session chose fewer)."""
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
        """What ``actor``'s seat sees now (None: the control seat sees everything)."""
        if actor is not None and actor not in self.world.actors:
            raise IllegalInput([f"unknown actor '{actor}'{suggest(actor, self.world.actors)}"])
        feed = self._feeds.get(actor)
        if feed is None:
            feed = self._feeds[actor] = Feed(actor)
        events = feed.snapshot(self.log, self.state, self.world)
        return seat_view(self.world, self.state, actor, events)

    def submitted(self, actor: str) -> Orders | None:
        """The orders ``actor`` has submitted this round, if any."""
        return self._orders.get(actor)

    def waiting_for(self) -> list[str]:
        """Human and script seats that have not submitted this round."""
        return [a for a, s in self.seats.items() if s != "computer" and a not in self._orders]

    # -- inputs --------------------------------------------------------------------------------
    def apply(self, inp: Input, *, trusted: bool = False) -> None:
        """Perform one input; ``trusted`` as for :meth:`submit`."""
        match inp:
            case Submit():
                self.submit(inp.actor, inp.orders, trusted=trusted)
            case Send():
                self.send(inp.actor, inp.message, trusted=trusted)
            case Override():
                self.override(inp.mid, inp.outcome, inp.note)
            case AdHocInject():
                self.inject(inp.title, inp.text, inp.audience, inp.effects)
            case Pause():
                self.pause(inp.note)
            case Resume():
                self.resume()
            case SetSeat():
                self.set_seat(inp.actor, inp.seat)
            case Close():
                self.close_round()

    def apply_input(self, data: Mapping[str, Any], *, trusted: bool = False) -> None:
        """Perform an input from its journal form (used to resume and replay)."""
        self.apply(parse_input(data), trusted=trusted)

    def _record(self, inp: Input) -> None:
        if self.recorder is not None:
            self.recorder(inp)

    def _require_open(self) -> None:
        if self.over:
            raise IllegalInput([f"the exercise has ended ({self.state.outcome})"])

    def check(self, actor: str, orders: Orders) -> list[str]:
        """Every reason these orders would be refused (empty when they are legal)."""
        return check_orders(self.world, self.state, actor, orders)

    def warnings(self, actor: str, orders: Orders) -> list[str]:
        """Agreements in force these orders would breach (legal, but worth a second look)."""
        return breach_warnings(self.world, self.state, actor, orders)

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
        self._record(Submit(actor=actor, orders=orders))
        self._orders[actor] = orders

    def send(self, actor: str, message: MessageOrder, *, trusted: bool = False) -> None:
        """Deliver ``actor``'s message now, inside the round (networked play: a proposal sent
        this way can be answered in this round's orders and agreed when it closes).

        Its ids carry an ``s``, ``c3.us.s1`` and ``p3.us.s1``, so they never clash with those
        of the messages in the round's orders, and a log tells the two kinds apart.
        """
        self._require_open()
        if actor not in self.world.actors:
            raise IllegalInput([f"unknown actor '{actor}'{suggest(actor, self.world.actors)}"])
        if self.seats[actor] == "computer":
            raise IllegalInput([f"{actor} is played by the computer"])
        problems = [] if trusted else check_message(self.world, actor, message)
        if problems:
            raise IllegalInput(problems)
        self._record(Send(actor=actor, message=message))
        r = self.round
        k = self._sent[actor] = self._sent.get(actor, 0) + 1
        proposal = None
        if message.proposal is not None:
            proposal = {
                "id": f"p{r}.{actor}.s{k}",
                "title": message.proposal.title,
                "terms": message.proposal.terms.model_dump(mode="json"),
                "expires": r + message.proposal.expires_after,
            }
        self.kernel.emit(
            MessageSent,
            mid=f"c{r}.{actor}.s{k}",
            sender=actor,
            to=message.to if message.to == "public" else tuple(message.to),
            text=message.text,
            by=self.seats[actor],
            proposal=proposal,
        )

    def override(self, mid: str, outcome: Outcome, note: str = "") -> None:
        """Control forces the outcome of a move of this round (see :meth:`preview`)."""
        self._require_open()
        if outcome not in ("success", "failure", "cancelled"):
            raise IllegalInput([f"outcome must be success, failure or cancelled, not {outcome!r}"])
        mids = {r.mid for r in self.preview()}
        if mid not in mids:
            raise IllegalInput([f"no move '{mid}' this round{suggest(mid, mids)}"])
        self._record(Override(mid=mid, outcome=outcome, note=note))
        self.kernel.emit(Overridden, mid=mid, outcome=outcome, note=note)

    def inject(
        self,
        title: str,
        text: str = "",
        audience: Iterable[str] | str = "public",
        effects: Iterable[Effect] = (),
    ) -> None:
        """Control delivers an ad hoc inject now."""
        self._require_open()
        aud: list[str] | Literal["public"] = "public" if audience == "public" else list(audience)
        problems = check_audience(self.world, aud)
        effects = list(effects)
        bound = []
        for eff in effects:
            try:
                bound.append(runtime_effect(self.world, eff))
            except IllegalInput as exc:
                problems.extend(exc.problems)
        if not title.strip():
            problems.append("an inject needs a title")
        if problems:
            raise IllegalInput(problems)
        self._record(AdHocInject(title=title, text=text, audience=aud, effects=effects))
        # Numbered per round, not by log position, which would tell how much is hidden.
        iid = f"control.{self.round}.{self._injects_this_round + 1}"
        self._injects_this_round += 1
        self.kernel.emit(
            InjectDelivered,
            id=iid,
            title=title,
            text=text,
            audience=aud if aud == "public" else tuple(aud),
            source="control",
        )
        for b in bound:
            self.kernel.change(b, f"inject:{iid}")

    def pause(self, note: str = "") -> None:
        """Control pauses: rounds cannot close until resumed."""
        self._require_open()
        if not self.state.paused:
            self._record(Pause(note=note))
            self.kernel.emit(ControlNote, action="pause", note=note)

    def resume(self) -> None:
        """Control resumes after a pause."""
        if self.state.paused:
            self._record(Resume())
            self.kernel.emit(ControlNote, action="resume")

    def set_seat(self, actor: str, seat: Seat) -> None:
        """Control hands ``actor``'s seat to a human, the computer or a script from now on."""
        self._require_open()
        if actor not in self.world.actors:
            raise IllegalInput([f"unknown actor '{actor}'{suggest(actor, self.world.actors)}"])
        problem = seat_problem(seat)
        if problem is not None:
            raise IllegalInput([problem])
        if self.seats[actor] == seat:
            return
        self._record(SetSeat(actor=actor, seat=seat))
        self.seats[actor] = seat
        self._orders.pop(actor, None)
        self.kernel.emit(SeatChanged, actor=actor, seat=seat)

    # -- rounds --------------------------------------------------------------------------------
    def _round_orders(self, commit: bool = False) -> RoundOrders:
        decisions = self.computer.decide(self.seats, self.state, commit=commit, log=self.log)
        return [
            (
                actor,
                decisions[actor] if seat == "computer" else self._orders.get(actor, Orders()),
                seat,
            )
            for actor, seat in ((a, self.seats[a]) for a in self.world.actors)
        ]

    def preview(self) -> list[Ruling]:
        """How this round's moves would be ruled if it closed now (nothing is committed)."""
        rulings = []
        for actor, chosen, _seat in self._round_orders():
            orders = chosen.orders if isinstance(chosen, Decision) else chosen
            for i, mo in enumerate(orders.moves, 1):
                mid = f"m{self.round}.{actor}.{i}"
                bound = self.world.bound_move(actor, mo.move, mo.target)
                rulings.append(rule(self.world, self.state, self.seed, mid, bound))
        return rulings

    def close_round(self) -> list[Event]:
        """Commit this round's orders and run the interval to the next decision point; a human
        seat that submitted nothing passes the round.

        Returns the events of the round, in order.
        """
        self._require_open()
        if self.state.paused:
            raise IllegalInput(["the exercise is paused; resume it first"])
        self._record(Close())
        start = len(self.log)
        self.kernel.close_round(self._round_orders(commit=True))
        self._orders = {}
        self._injects_this_round = 0
        self._sent = {}
        return self.log[start:]
