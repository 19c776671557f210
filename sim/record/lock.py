"""One process plays a session at a time: an advisory lock file beside the archive.

``flock`` is released by the kernel when its holder dies, even by ``kill -9``, so a crashed
server never leaves a stale lock behind and ``serve --resume`` works at once; a second live
process (``sitroom play --resume`` while ``sitroom serve`` runs the session) is refused up front
with a message naming the holder, instead of failing on its first input.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.record.store import Busy

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock; the journal still refuses a clash
    fcntl = None  # type: ignore[assignment]


class SessionLock:
    """An exclusive lock on one session of one archive file, held until :meth:`release`."""

    def __init__(self, archive: Path, sid: str, holder: str) -> None:
        self.path = archive.with_name(f"{archive.name}.{sid}.lock")
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is None:
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            who = os.read(self._fd, 200).decode("utf-8", "replace").strip() or "another process"
            os.close(self._fd)
            self._fd = None
            raise Busy(
                f"session {sid} is being played by {who}; close it there first "
                "(or join it: `sitroom join URL --code CODE`)"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"{holder} (pid {os.getpid()})".encode())

    def release(self) -> None:
        """Let another process play the session."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def held(archive: Path, sid: str) -> bool:
    """Whether a process holds the session's lock now: probed on a read-only descriptor, so it
    works on a read-only archive and never creates, truncates or keeps the lock file."""
    path = archive.with_name(f"{archive.name}.{sid}.lock")
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # no lock file: the session was never played by a locking process
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops a probe's lock at once
    return False
