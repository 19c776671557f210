"""Every file sitroom writes goes through here: checked before the work, written atomically.

``check_output`` runs before a command does its work (a whole run, a batch, a report), so a
missing, read-only or wrong-kind target is refused at once instead of after the work is done.
``write_text`` then writes a *regular* file atomically (a temp file in the same folder, fsync'd,
renamed over the target: a crash or a full disk leaves the old file or the new one, never half)
and writes *into* a target that exists and is not a regular file (``/dev/null``, a terminal, a
FIFO with a reader): such a target is never replaced, since replacing ``/dev/null`` breaks the
whole system. A FIFO nobody reads is refused rather than waited on.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sim.authoring.problems import UserError

_WRITE_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)
"""Errors of writing the file, as opposed to errors of the work done while it is open."""


class OutputError(UserError):
    """A target that cannot be written: exit 1 with the path and what to do."""


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full; free some space or write elsewhere"
    if exc.errno == errno.EDQUOT:
        return "the disk quota is exceeded; free some space or write elsewhere"
    if exc.errno in (errno.EROFS,):
        return "the file system is read-only; write elsewhere"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; write elsewhere"
    return exc.strerror or type(exc).__name__


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _target(path: Path, what: str) -> os.stat_result | None:
    """The target's status (None: it does not exist yet); a folder, or a path that cannot
    even be looked at, is refused."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a folder; give a file name for the {what}")
    return st


def check_output(path: str | Path, what: str = "output") -> None:
    """Refuse a target that cannot be written, before any work is done.

    A regular file (or a new one) needs a writable existing folder; a directory is refused; any
    other existing file (a device, a FIFO) is accepted, to be written into.
    """
    path = Path(path)
    st = _target(path, what)
    if st is not None and not stat.S_ISREG(st.st_mode):
        return  # written into, never replaced: see write_text
    folder = Path(os.path.realpath(path)).parent
    if not folder.exists():
        raise OutputError(
            f"{path}: the folder {folder} does not exist; create it first or write elsewhere"
        )
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    # The temp file is the real test: permissions, read-only mounts and root all answer it alike.
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    os.close(fd)
    os.unlink(tmp)


def write_text(path: str | Path, chunks: Iterable[str], what: str = "output") -> None:
    """Write ``chunks`` (UTF-8) to ``path``: atomically for a regular file, into anything else."""
    with open_output(path, what) as fh:
        for chunk in chunks:
            fh.write(chunk)


@contextmanager
def open_output(path: str | Path, what: str = "output") -> Iterator[TextIO]:
    """A text file to write ``path`` through: for a regular file a temp file beside it, renamed
    over it (fsync'd) when the block ends without an error and deleted otherwise; for a device or
    a FIFO the target itself. Write errors (a full disk) become :class:`OutputError`."""
    path = Path(path)
    st = _target(path, what)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _into(path, st, what) as fh:
            yield fh
        return
    real = Path(os.path.realpath(path))  # a symlink keeps pointing at the file it names
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", dir=real.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    try:
        # mkstemp makes 0600: give the file the mode a plain open() would (or the old file's).
        os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, real)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno not in _WRITE_ERRORS:
            raise
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _into(path: Path, st: os.stat_result, what: str) -> Iterator[TextIO]:
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    fifo = stat.S_ISFIFO(st.st_mode)
    if fifo:
        flags |= os.O_NONBLOCK  # no reader: refuse at once instead of hanging
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(
                f"{path}: is a FIFO that nobody is reading; start the reader first"
            ) from None
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
    try:
        if fifo:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
    except BrokenPipeError:
        raise OutputError(f"{path}: the reader closed it before the {what} was written") from None
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        raise OutputError(f"{path}: cannot write the {what} ({_reason(exc)})") from None
