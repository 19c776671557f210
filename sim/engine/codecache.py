"""Generated Python code kept compiled on disk, and the folder the world cache uses.

Compiling generated source costs more than running it in a short start: the computer players'
unrolled scoring (``actors.codegen``) and the event classes' methods (``sim.engine.events``, ~7
ms of every start) are kept as marshalled code objects keyed by a digest of the source text and
the interpreter. Entries are read only from a folder and files owned by the user and not
writable by others (``$SITROOM_CACHE``, else the user cache folder; ``SITROOM_CACHE=off`` turns
it off); a missing, damaged or foreign entry is compiled again. The world cache
(:mod:`sim.authoring.worldcache`) keeps its pickles in the same folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import tempfile
import types
from pathlib import Path

ENV_VAR = "SITROOM_CACHE"
CODE_FORMAT = b"sitroom-code-1\n"
MAX_CODE_ENTRIES = 256
"""Beyond this many compiled-code entries the oldest are removed when one is written (each
edit of a scenario's moves or profiles makes new ones)."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    env = os.environ.get(ENV_VAR)
    if env is not None:
        if env.strip().lower() in {"", "0", "off", "no", "false"}:
            return None
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("sitroom")) / "worlds"


def trusted(fd: int) -> bool:
    """A file of this user's that nobody else may write (pickles and code run when loaded)."""
    st = os.fstat(fd)
    owner = getattr(os, "getuid", lambda: st.st_uid)()
    return stat.S_ISREG(st.st_mode) and st.st_uid == owner and not st.st_mode & 0o022


def compiled(source: str, filename: str) -> types.CodeType:
    """``compile(source, filename, "exec")``, read from the cache when the same source was
    compiled before by this interpreter; raises what ``compile`` raises."""
    folder = cache_dir()
    if folder is None:
        return compile(source, filename, "exec")
    import importlib.util

    digest = hashlib.sha256(CODE_FORMAT)
    digest.update(importlib.util.MAGIC_NUMBER + f"{sys.version}\0{filename}\0".encode())
    digest.update(source.encode("utf-8", "surrogatepass"))
    want = digest.digest()
    entry = folder / f"code-{want.hex()[:40]}.marshal"
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            if trusted(fh.fileno()) and fh.read(len(CODE_FORMAT) + 32) == CODE_FORMAT + want:
                code = marshal.loads(fh.read())
                if isinstance(code, types.CodeType):
                    return code
    except Exception:  # missing, damaged or foreign: compile it again
        pass
    code = compile(source, filename, "exec")
    with contextlib.suppress(Exception):  # an unwritable cache only costs the next compile
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".code-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(CODE_FORMAT + want + marshal.dumps(code))
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(folder)
    return code


def _prune(folder: Path) -> None:
    """Remove the oldest compiled-code entries beyond :data:`MAX_CODE_ENTRIES`."""
    entries = [e for e in os.scandir(folder) if e.name.startswith("code-")]
    if len(entries) <= MAX_CODE_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for old in entries[: len(entries) - MAX_CODE_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(old.path)
