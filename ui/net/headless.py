"""Headless seats: a script playing one seat against the server, and an observer that prints
what its seat receives. Rehearsals, tests and load all use these."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from sim.engine.events import dumps
from sim.models import Orders, Script
from ui.net.client import Connection, Refused

ANSWER_WAIT = 30.0
"""Seconds a scripted seat waits, in a round, for the proposals its answers refer to."""


async def play_script(
    conn: Connection,
    script: Script,
    *,
    say: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
    answer_wait: float = ANSWER_WAIT,
) -> None:
    """Play ``conn``'s seat from ``script`` until the exercise ends.

    Each round: send the round's messages at once (so others can answer inside the round),
    wait until the proposals its answers name have arrived, then submit its moves and answers;
    a round the script does not list is passed with empty orders. Orders the rules refuse are
    reported and the round passed, so a rehearsal never stalls on one seat.
    """
    actor = conn.actor
    assert actor is not None, "a script plays a seat; this code is for control or observers"
    done: set[int] = set()
    while not conn.over:
        r = conn.round
        if r in done or r in conn.submitted or (conn.welcome and _submitted_at_join(conn, r)):
            done.add(r)
            await conn.changed(timeout=5.0)
            if conn.failed is not None:
                raise conn.failed
            continue
        done.add(r)
        orders = script.rounds.get(r, {}).get(actor, Orders())
        try:
            await _play_round(conn, r, orders, answer_wait, say)
        except Refused as exc:
            if exc.code not in ("round_closed", "ended"):
                raise
            say(f"{actor}: round {r}: {exc.message}")


def _submitted_at_join(conn: Connection, r: int) -> bool:
    w = conn.welcome
    return w is not None and w.submitted and int(w.view.get("round", 0)) == r


async def _play_round(
    conn: Connection, r: int, orders: Orders, answer_wait: float, say: Callable[[str], None]
) -> None:
    for msg in orders.messages:
        try:
            await conn.send(msg, round=r)
        except Refused as exc:
            if exc.code != "illegal":
                raise
            say(f"{conn.actor}: round {r}: message not sent: {exc.message}")
    wanted = {a.proposal for a in orders.answers}
    waited = 0.0
    while wanted - conn.proposals() and waited < answer_wait and conn.round == r:
        await conn.changed(timeout=0.5)
        waited += 0.5
    if conn.round != r or conn.over:
        return
    answers = [a for a in orders.answers if a.proposal in conn.proposals()]
    if len(answers) < len(orders.answers):
        missing = ", ".join(sorted(wanted - conn.proposals()))
        say(f"{conn.actor}: round {r}: no proposal {missing} to answer; answering the rest")
    try:
        await conn.submit(Orders(moves=orders.moves, answers=answers), round=r)
    except Refused as exc:
        if exc.code != "illegal":
            raise
        say(f"{conn.actor}: round {r}: orders refused ({exc.message}); passing")
        await conn.submit(Orders(), round=r)


async def observe(conn: Connection, out: TextIO = sys.stdout) -> None:
    """Print every event the connection receives as a JSON line, until the exercise ends."""
    printed = 0
    while True:
        while printed < len(conn.events):
            out.write(dumps(conn.events[printed]) + "\n")
            printed += 1
        out.flush()
        if conn.over:
            return
        if conn.failed is not None:
            raise conn.failed
        await conn.changed(timeout=5.0)
