"""A real `sitroom serve` process on 127.0.0.1 for the network tests, and ways to talk to it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
MINI = str(ROOT / "tests" / "data" / "good" / "mini.yaml")
T = TypeVar("T")


def free_port() -> int:
    """A port free now (the resume test needs the same port twice, so not --port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running server and what it wrote to its codes file."""

    proc: subprocess.Popen[str]
    codes_path: Path
    archive: Path
    url: str = ""
    session: str = ""
    codes: dict[str, str] = field(default_factory=dict)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGKILL: a crash) and wait until it is gone."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=15)


def env(archive: Path) -> dict[str, str]:
    return {**os.environ, "SITROOM_ARCHIVE": str(archive), "PYTHONUNBUFFERED": "1"}


def serve(tmp: Path, *args: str, port: int = 0, codes: str = "codes.json") -> Served:
    """Start `sitroom serve ARGS` and wait until it has written its codes file."""
    codes_path = tmp / codes
    before = codes_path.stat().st_mtime_ns if codes_path.exists() else None
    archive = tmp / "archive.sqlite3"
    where = ["--host", "127.0.0.1", "--port", str(port), "--codes", str(codes_path)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", *args, *where],
        cwd=ROOT,
        env=env(archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(proc, codes_path, archive)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stdout.read()}")  # type: ignore[union-attr]
        if codes_path.exists() and codes_path.stat().st_mtime_ns != before:
            data = json.loads(codes_path.read_text())
            served.url, served.session, served.codes = data["url"], data["session"], data["codes"]
            return served
        time.sleep(0.05)
    served.stop(signal.SIGKILL)
    raise AssertionError("serve did not start within 30 s")


def sitroom(archive: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a sitroom command against the test's archive."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=ROOT,
        env=env(archive),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start_join(archive: Path, *args: str) -> subprocess.Popen[str]:
    """`sitroom join ARGS` in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "join", *args],
        cwd=ROOT,
        env=env(archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def exported(archive: Path, session: str, actor: str | None = None) -> list[dict[str, Any]]:
    """The session's events from `sitroom export` (as one actor saw them, with ``actor``)."""
    result = sitroom(archive, "export", session, *(["--as", actor] if actor else []))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()[1:]]


def assert_replays(tmp: Path, archive: Path, session: str) -> None:
    """The session's exported log passes `sitroom replay --verify`."""
    log = tmp / f"{session}.jsonl"
    log.write_text(sitroom(archive, "export", session).stdout)
    verified = sitroom(archive, "replay", str(log), "--verify")
    assert verified.returncode == 0, verified.stderr


def run(coro: Coroutine[Any, Any, T], timeout: float = 40) -> T:
    """Run a test's client code, bounded so that a hang fails instead of stalling the suite."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


async def until(predicate: Any, conn: Any, timeout: float = 15) -> None:
    """Wait until ``predicate()`` holds, re-checking at each frame ``conn`` receives."""
    give_up = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > give_up:
            raise AssertionError("condition not reached in time")
        await conn.changed(timeout=0.5)
