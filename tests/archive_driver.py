"""A front end for the crash-safety test: plays a fixed input sequence through an archived session.

``python -m tests.archive_driver DB OUT`` resumes the session in ``DB`` if there is one (else starts
it), performs the inputs the journal does not have yet, prints ``ack N`` as soon as the archive's
recorder returns for input N (the moment a real front end would tell the player "accepted"), and
writes the final log to ``OUT``. ``SITROOM_TEST_SLOW`` (seconds) slows every input and event so
that a SIGKILL lands anywhere in the run.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from sim.engine.events import Event
from sim.engine.session import Input, Session
from sim.engine.world import World
from sim.record.archive import Archive
from sim.record.log import write_log
from tests.worlds import world

SEED = 11
SEATS: dict[str, Any] = {"a": "human", "b": "human"}


def crash_world() -> World:
    """The mini world, long enough to kill many times."""
    return world({"clock": {"start": "day 1", "round_hours": 6, "rounds": 8}})


def script() -> list[Input]:
    """Every input of the run, in order: orders, control actions, seat changes, closes."""
    picks = ["calm", "provoke", "gamble", "wait"]
    out: list[Input] = []
    for r in range(1, 9):
        if r == 5:
            out.append({"op": "seat", "actor": "c", "seat": "human"})
        out.append(
            {"op": "submit", "actor": "a", "orders": {"moves": [{"move": "spy", "target": "b"}]}}
        )
        out.append(
            {
                "op": "submit",
                "actor": "b",
                "orders": {
                    "moves": [{"move": picks[r % 4]}],
                    "messages": [{"to": ["a"], "text": f"private note {r}"}],
                },
            }
        )
        if r >= 5:
            out.append(
                {
                    "op": "submit",
                    "actor": "c",
                    "orders": {"moves": [{"move": "insult", "target": "a"}]},
                }
            )
        if r % 3 == 0:
            out.append(
                {
                    "op": "inject",
                    "title": f"Bulletin {r}",
                    "text": "news",
                    "audience": ["a"] if r % 2 else "public",
                    "effects": [{"change": "tension", "by": 3}],
                }
            )
        if r % 4 == 2:
            out.append(
                {
                    "op": "override",
                    "mid": f"m{r}.a.1",
                    "outcome": "failure",
                    "note": "control says no",
                }
            )
        if r == 4:
            out.extend([{"op": "pause", "note": "coffee"}, {"op": "resume"}])
        out.append({"op": "close"})
    return out


def plain() -> Session:
    """The uninterrupted run, without an archive: the reference log."""
    s = Session(crash_world(), SEED, SEATS)
    for inp in script():
        s.apply_input(inp)
    return s


def main(db: str, out: str) -> None:
    delay = float(os.environ.get("SITROOM_TEST_SLOW", "0"))
    w = crash_world()
    with Archive(db) as archive:
        existing = archive.sessions()
        archived = (
            archive.resume(existing[0].id, world=w) if existing else archive.create(w, SEED, SEATS)
        )
        print(f"session {archived.id} from {archived.inputs}", flush=True)
        session = archived.session
        record = archived.record

        def acknowledged(inp: Input) -> None:
            record(inp)
            print(f"ack {archived.inputs - 1}", flush=True)
            time.sleep(delay)  # between "on disk" and "performed": the riskiest moment

        def slow(_event: Event) -> None:
            time.sleep(delay / 20)

        session.recorder = acknowledged
        session.listeners.append(slow)
        for inp in script()[archived.inputs :]:
            session.apply_input(inp)
            time.sleep(delay)
        archived.close()
        write_log(out, session.header.to_dict(), session.log)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
