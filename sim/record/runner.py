"""Headless runs and their verification: play a session to its end, re-execute a log."""

from __future__ import annotations

from collections.abc import Callable

from sim.authoring.scripts import ScriptProblem, seats_for
from sim.engine.events import (
    Event,
    Seat,
)
from sim.engine.session import IllegalInput, Input, Session
from sim.engine.world import World
from sim.models import Script
from sim.record.log import Divergence, Log, compare, inputs_from_log, replay_inputs


def run(
    world: World,
    seed: int,
    script: Script | None = None,
    *,
    seats: dict[str, Seat] | None = None,
    scenario_ref: str | None = None,
    prefix: Log | None = None,
    recorder: Callable[[Input], None] | None = None,
    on_round: Callable[[Session, list[Event]], None] | None = None,
    session: Session | None = None,
    lean: bool = False,
    rounds: int | None = None,
) -> Session:
    """Play a whole session headless; ``prefix`` continues a (forked) log first.

    ``session`` plays on in a session made elsewhere (an archived or resumed one) instead of a
    new one; ``seed``, ``seats`` and ``recorder`` are then its own. ``lean`` plays a new session
    for its numbers only (see :attr:`Session.lean`); ``rounds``: a new session's rounds, when
    fewer than the scenario's (a forked log keeps its own).
    Raises :class:`ScriptProblem` when scripted orders are refused by the rules.
    """
    if session is None and prefix is not None:
        session = Session(
            world,
            int(prefix.header["seed"]),
            prefix.header["seats"],
            scenario_ref=scenario_ref,
            recorder=recorder,
            rounds=prefix.header.get("rounds"),
        )
    elif session is None:
        session = Session(
            world,
            seed,
            seats_for(world, script, seats),
            scenario_ref=scenario_ref,
            recorder=recorder,
            lean=lean,
            rounds=rounds,
        )
    if prefix is not None:
        replay_inputs(session, inputs_from_log(prefix))
        # The fork's new script takes over its actors from here; the log records the handover.
        for actor, seat in seats_for(world, script).items():
            if seat == "script" and not session.over:
                session.set_seat(actor, "script")
    while not session.over:
        r = session.round
        orders = script.rounds.get(r, {}) if script is not None else {}
        for actor, o in orders.items():
            try:
                session.submit(actor, o)
            except IllegalInput as exc:
                raise ScriptProblem(r, actor, tuple(exc.problems)) from None
        events = session.close_round()
        if on_round is not None:
            on_round(session, events)
    return session


def verify(world: World, log: Log) -> Divergence | None:
    """Re-execute a log and return its first divergence, or None if it reproduces exactly."""
    try:
        session = Session(
            world,
            int(log.header["seed"]),
            log.header["seats"],
            scenario_ref=log.header.get("scenario_ref"),
            rounds=log.header.get("rounds"),
        )
    except IllegalInput as exc:
        return Divergence(0, None, {"error": str(exc)})
    try:
        replay_inputs(session, inputs_from_log(log))
    except Exception as exc:  # a hand-edited log can ask for anything; report, never crash
        return compare(log.events, session.log) or Divergence(
            len(session.log), None, {"error": f"{type(exc).__name__}: {exc}"}
        )
    return compare(log.events, session.log)
