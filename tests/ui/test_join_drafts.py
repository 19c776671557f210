"""Hotseat drafts are journalled: orders being written survive `kill -9` of `sitroom play` and
come back with `play --resume`; a session another process is playing is refused up front."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sim.models.script import MoveOrder
from tests.net.served import ROOT, sitroom
from tests.tuikit import press, run_async, screen_name, settle
from ui.cli.archiving import resume_archived
from ui.tui.app import SitroomApp
from ui.tui.link import ArchiveLink
from ui.tui.screens.seat import SeatScreen

# A child process playing `sitroom play`'s archived session under Pilot (a TUI needs no tty
# this way): it writes one move for alpha, and stays in the seat screen until killed.
CHILD = """
import asyncio, sys, time
from sim.authoring.loader import load_scenario
from ui.cli.archiving import start_archived
from ui.tui.app import SitroomApp
from ui.tui.link import ArchiveLink

world = load_scenario(sys.argv[1])
archived = start_archived(None, world, 1, {"alpha": "human", "beta": "computer"}, sys.argv[1],
                          {"front_end": "play"})
print(archived.id, flush=True)

async def main():
    app = SitroomApp([], session=archived.session, link=ArchiveLink(archived.archive, archived.id))
    async with app.run_test() as pilot:
        for key in ("enter", "m", *"talk", "enter"):
            await pilot.press(key)
            await pilot.pause(0.1)
        print("written", flush=True)
        while True:
            await asyncio.sleep(1)

asyncio.run(main())
"""


def test_a_killed_play_keeps_the_orders_being_written(tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite3"
    env = {**os.environ, "SITROOM_ARCHIVE": str(archive)}
    mini = str(ROOT / "tests" / "data" / "good" / "mini.yaml")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mini],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        sid = child.stdout.readline().strip()
        assert sid, child.stderr.read() if child.stderr else ""
        assert child.stdout.readline().strip() == "written"
        # Another terminal cannot open the live session: a clear refusal, exit 1.
        busy = sitroom(archive, "play", "--resume", sid)
        assert busy.returncode == 1
        assert "Traceback" not in busy.stderr
        assert sid in busy.stderr or "playing" in busy.stderr or "lock" in busy.stderr.lower()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=15)
    with sqlite3.connect(archive) as db:
        rows = db.execute("SELECT seat, round, json FROM drafts").fetchall()
    assert rows == [("alpha", 1, '{"moves":[{"move":"talk"}]}')]

    @run_async
    async def resumed() -> None:
        archived = resume_archived(sid, archive, for_play=True)
        try:
            link = ArchiveLink(archived.archive, archived.id)
            app = SitroomApp([], session=archived.session, link=link)
            async with app.run_test() as pilot:
                await settle(pilot)
                await press(pilot, "enter")
                assert screen_name(app) == "SeatScreen"
                assert isinstance(app.screen, SeatScreen)
                assert app.screen.draft.moves == [MoveOrder(move="talk")]
        finally:
            archived.close()

    start = time.monotonic()
    resumed()
    assert time.monotonic() - start < 60
