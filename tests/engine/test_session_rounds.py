"""Numbered rules of a session's length: a session may play fewer rounds than its scenario
declares (a class with less time), never more, and its log says so, so replay and resume
reproduce it. A session that keeps the scenario's length writes the very same log as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine.events import Ended, RoundClosed
from sim.engine.session import IllegalInput, Session
from sim.record.archive import Archive
from sim.record.log import LogError, lines, parse_log
from sim.record.runner import run, verify
from tests.worlds import world

# The mini world's only end condition holds from the start, so it ends by the clock.
WORLD = world()  # 4 rounds of 6 h
HUMANS = {"a": "human", "b": "human", "c": "human"}


def text(session: Session) -> str:
    return "\n".join(lines(session.header.to_dict(), session.log))


def play_out(session: Session) -> Session:
    while not session.over:
        session.close_round()
    return session


def test_l1_a_shorter_session_ends_by_the_clock_at_its_own_last_round() -> None:
    """L1: with ``rounds=2`` of 4, the clock ends the exercise when round 2 closes; every view
    and the session itself count 2 rounds."""
    s = play_out(Session(WORLD, 1, HUMANS, rounds=2))
    closed = [e.round for e in s.log if isinstance(e, RoundClosed)]
    (ended,) = [e for e in s.log if isinstance(e, Ended)]
    assert closed == [1, 2]
    assert (ended.round, ended.reason, ended.t) == (2, "clock", 12.0)
    assert s.rounds == 2 and s.view("a").rounds == 2 and s.view(None).rounds == 2
    assert WORLD.scenario.clock.rounds == 4, "the compiled world is not changed"


def test_l2_the_header_names_the_rounds_only_when_they_differ_from_the_scenario() -> None:
    """L2: ``rounds`` is in the log header only when chosen; the scenario's own number (or
    none) writes the same bytes as a session that never heard of the option."""
    short = Session(WORLD, 1, HUMANS, rounds=3)
    assert short.header.to_dict()["rounds"] == 3
    same = play_out(Session(WORLD, 1, HUMANS, rounds=4))
    plain = play_out(Session(WORLD, 1, HUMANS))
    assert "rounds" not in plain.header.to_dict()
    assert text(same) == text(plain)


def test_l3_a_shorter_log_replays_exactly_and_needs_its_header_field() -> None:
    """L3: ``replay --verify`` of a shorter session passes; the same log without the header
    field replays as the full-length scenario and diverges."""
    s = run(WORLD, 5, seats=HUMANS, rounds=2)
    log = parse_log(text(s), "short.jsonl")
    assert log.header["rounds"] == 2
    assert verify(WORLD, log) is None
    stripped = {k: v for k, v in log.header.items() if k != "rounds"}
    assert verify(WORLD, type(log)(stripped, log.events)) is not None


@pytest.mark.parametrize("rounds", [0, -1, 5, 99])
def test_l4_rounds_outside_one_to_the_scenarios_are_refused(rounds: int) -> None:
    """L4: a session cannot be longer than its scenario or shorter than one round; the refusal
    names the allowance."""
    with pytest.raises(IllegalInput, match=r"from 1 to 4 \(the scenario's\)"):
        Session(WORLD, 1, HUMANS, rounds=rounds)


@pytest.mark.parametrize("bad", ['"3"', "0", "true", "2.5"])
def test_l5_a_header_with_a_bad_rounds_field_is_named_at_line_1(bad: str) -> None:
    """L5: the log reader refuses a ``rounds`` that is not a whole number from 1."""
    header = text(Session(WORLD, 1, HUMANS, rounds=2)).splitlines()[0]
    broken = header.replace('"rounds":2', f'"rounds":{bad}')
    with pytest.raises(LogError, match=r"x\.jsonl:1: header 'rounds' must be a whole number"):
        parse_log(broken + "\n", "x.jsonl")


def test_l6_an_archived_shorter_session_resumes_with_its_rounds(tmp_path: Path) -> None:
    """L6: resuming an archived session rebuilds it with the rounds it was started with, and
    it ends where a session played straight through ends."""
    with Archive(tmp_path / "a.sqlite3") as archive:
        archived = archive.create(WORLD, 3, HUMANS, rounds=2)
        archived.session.close_round()
        sid = archived.id
        archived.close()
        resumed = archive.resume(sid, world=WORLD)
        assert resumed.session.rounds == 2 and resumed.session.header.rounds == 2
        play_out(resumed.session)
        resumed.close()
        stored = archive.log(sid)
    straight = play_out(Session(WORLD, 3, HUMANS, rounds=2))
    assert "\n".join(lines(stored.header, stored.events)) == text(straight)
