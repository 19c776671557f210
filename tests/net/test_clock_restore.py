"""What a served exercise's round clock becomes when the exercise is built again from the archive
(the in-process half of `serve --resume`: a real archive and exercise, no server)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from sim.engine.inputs import Close, Pause
from sim.record.archive import Archive, ArchivedSession
from tests.archive_driver import SEATS, SEED, crash_world
from ui.net.exercise import Exercise

WORLD = crash_world()


def _exercise(archived: ArchivedSession, **options: object) -> Exercise:
    """An exercise built inside a running loop (its clock arms a timer), left as a crash
    leaves it: whatever was journalled stays, nothing is stopped."""

    async def build() -> Exercise:
        return Exercise(archived, **options)  # type: ignore[arg-type]

    return asyncio.run(build())


def test_a_restored_clock_keeps_its_deadline_and_later_rounds_take_the_new_minutes(
    tmp_path: Path,
) -> None:
    """The open round keeps its journalled (extended) deadline; --round-minutes given again
    sets the length of the next round only."""
    with Archive(tmp_path / "a.sqlite3") as archive:
        archived = archive.create(WORLD, SEED, SEATS)

        async def first() -> float:
            ex = Exercise(archived, round_minutes=1)
            ex.clock.extend(2, paused=False)
            assert ex.clock.ends_at is not None
            return ex.clock.ends_at

        ends_at = asyncio.run(first())

        async def again() -> tuple[float | None, float | None]:
            ex = Exercise(archived, round_minutes=5)
            kept = ex.clock.ends_at
            ex.apply(Close(), None, None, None)
            ex.new_round()
            return kept, ex.clock.left()

        kept, next_round = asyncio.run(again())
        archived.close()
    assert kept == ends_at
    assert next_round is not None and 299 < next_round <= 300


def test_without_minutes_at_resume_the_session_keeps_its_own(tmp_path: Path) -> None:
    """No --round-minutes at resume: later rounds keep the minutes the session was served with,
    and control's choice of what late seats become is kept unless given again."""
    with Archive(tmp_path / "a.sqlite3") as archive:
        archived = archive.create(WORLD, SEED, SEATS)
        ex = _exercise(archived, round_minutes=2)
        ex.on_deadline = "computer"
        resumed = _exercise(archived)
        assert (resumed.clock.minutes, resumed.on_deadline) == (2, "computer")
        overridden = _exercise(archived, on_deadline="pass")
        assert overridden.on_deadline == "pass"
        assert _exercise(archived).on_deadline == "pass"  # the override was journalled
        archived.close()


def test_a_held_clock_and_a_spent_deadline(tmp_path: Path) -> None:
    """A clock held by a pause comes back held with the same seconds; a deadline that passed
    while nobody served the session closes the round as soon as the loop runs."""
    with Archive(tmp_path / "a.sqlite3") as archive:
        archived = archive.create(WORLD, SEED, SEATS)

        async def pause() -> float | None:
            ex = Exercise(archived, round_minutes=1)
            ex.apply(Pause(), None, None, None)
            ex.after(Pause())
            return ex.clock.remaining

        left = asyncio.run(pause())
        time.sleep(0.2)
        held = _exercise(archived)
        assert held.clock.info(1).paused and held.clock.remaining == left
        archived.close()

        archived = archive.create(WORLD, SEED, SEATS)
        _exercise(archived, round_minutes=0.01)  # 0.6 s
        time.sleep(0.8)

        async def resume() -> int:
            ex = Exercise(archived)
            assert ex.clock.left() == 0.0
            give_up = time.monotonic() + 10
            while ex.session.round == 1 and time.monotonic() < give_up:
                await asyncio.sleep(0.05)
            return ex.session.round

        assert asyncio.run(resume()) == 2
        archived.close()
