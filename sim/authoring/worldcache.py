"""A cache of built worlds on disk, so `sitroom run` and `sitroom play` start without parsing,
validating and compiling a scenario that has not changed since the last start.

The entry for a scenario file is keyed by a digest of everything the build reads or depends on:

* the bytes and names of every ``.yaml`` file in the scenario's folder and in the bundled
  ``scenarios`` and ``actors`` folders (profiles, catalogues and source lists are found there, and
  a file added beside the scenario can override a bundled one), so an edit of any of them, however
  quick, is a miss: contents are compared, never timestamps;
* the size and modification time of every ``.py`` file of the ``sim`` and ``actors`` packages
  (as Python's own bytecode cache does), the sitroom, pydantic and Python versions.

A miss (or any problem reading or writing the cache) falls back to the ordinary load, which
writes a new entry. Entries are pickles: they are read only from a folder and files owned by the
user and not writable by others (``$SITROOM_CACHE``, else the user cache folder;
``SITROOM_CACHE=off`` turns the cache off). Compiled expressions are stored as their
marshalled code (the closures of a constant are rebuilt from the constant); a world holding any
other function is not cached.

:func:`compiled` (:mod:`sim.engine.codecache`, re-exported here) keeps generated Python code
(the computer players' unrolled scoring, the event classes' methods) the same way, as marshalled
code objects keyed by a digest of the source text and the interpreter, in the same folder:
compiling it costs more than a short run's rounds.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import marshal
import os
import pickle
import stat
import sys
import tempfile
import types
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from sim import __version__

# Re-exported: the players and the tests name them here.
from sim.engine.codecache import ENV_VAR as ENV_VAR
from sim.engine.codecache import cache_dir as cache_dir
from sim.engine.codecache import compiled as compiled
from sim.engine.codecache import trusted as _trusted
from sim.engine.expr import _PY_CACHE, PY_GLOBALS, Expr
from sim.engine.world import World

FORMAT = b"sitroom-world-1\n"
MAX_HASHED_BYTES = 32 * 1024 * 1024
"""Beyond this many bytes of YAML in the folders keyed on, the world is not cached (hashing a
huge folder would cost more than the load it saves)."""

_SIM = Path(__file__).resolve().parent.parent
"""The ``sim`` package's folder."""


def _yaml_files(folder: Path, digest: Any, budget: list[int]) -> None:
    try:
        entries = sorted(
            (e for e in os.scandir(folder) if e.name.endswith((".yaml", ".yml"))),
            key=lambda e: e.name,
        )
    except OSError:
        digest.update(b"\0unlistable\0")
        return
    for entry in entries:
        digest.update(entry.name.encode("utf-8", "surrogateescape") + b"\0")
        try:
            st = entry.stat()
            if not stat.S_ISREG(st.st_mode):
                digest.update(b"\0not regular\0")
                continue
            budget[0] -= st.st_size
            if budget[0] < 0:
                raise _TooBig
            with open(entry.path, "rb") as fh:
                data = fh.read()
        except OSError:
            digest.update(b"\0unreadable\0")
            continue
        digest.update(len(data).to_bytes(8, "little") + hashlib.sha256(data).digest())


def _code_files(package: Path, digest: Any) -> None:
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}\0".encode())


class _TooBig(Exception):
    pass


def key(path: Path) -> bytes | None:
    """The digest an entry for scenario file ``path`` must carry to be used, or None when the
    world should not be cached (folders too large to hash)."""
    import importlib.resources

    import pydantic

    digest = hashlib.sha256(FORMAT)
    digest.update(f"{__version__}\0{pydantic.VERSION}\0{sys.version}\0".encode())
    digest.update(str(path.resolve()).encode("utf-8", "surrogateescape") + b"\0")
    budget = [MAX_HASHED_BYTES]
    # By name, as the library finds them (the authoring layer does not import the players).
    bundled = [Path(str(importlib.resources.files(pkg))) for pkg in ("scenarios", "actors")]
    try:
        for folder in dict.fromkeys([path.resolve().parent, *(b.resolve() for b in bundled)]):
            digest.update(b"\0dir\0" + str(folder).encode("utf-8", "surrogateescape"))
            _yaml_files(folder, digest, budget)
    except _TooBig:
        return None
    for package in (_SIM, *bundled):
        _code_files(package, digest)
    return digest.digest()


def _entry(folder: Path, path: Path) -> Path:
    name = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return folder / f"{name[:32]}.pickle"


def get(path: Path) -> tuple[World | None, bytes | None]:
    """The cached world for scenario file ``path`` if its entry is current, and the key a new
    entry must carry (None: do not cache)."""
    folder = cache_dir()
    if folder is None:
        return None, None
    try:
        want = key(path)
    except OSError:
        return None, None
    if want is None:
        return None, None
    try:
        fd = os.open(_entry(folder, path), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None, want
    try:
        with os.fdopen(fd, "rb") as fh:
            if not _trusted(fh.fileno()) or fh.read(len(FORMAT) + 32) != FORMAT + want:
                return None, want
            world = pickle.loads(fh.read())
    except Exception:  # a damaged or foreign entry is a miss, never a failure
        return None, want
    return (world, want) if isinstance(world, World) else (None, want)


def put(path: Path, want: bytes, world: World) -> None:
    """Store ``world`` as the entry of ``path``; silently gives up on any problem."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        if key(path) != want:  # a file changed while the world was built: it may mix both
            return
        buf = io.BytesIO()
        _Pickler(buf).dump(world)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".world-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(FORMAT + want + buf.getvalue())
            os.replace(tmp, _entry(folder, path))
        except BaseException:
            os.unlink(tmp)
            raise
    except Exception:
        return


def _expr(source: str, code: bytes | None, names: frozenset[str], constant: Any, py: str) -> Expr:
    if code is None:
        return Expr(source, lambda _v: constant, names, constant, py)
    fn = _PY_CACHE.get(py)
    if fn is None:
        fn = types.FunctionType(marshal.loads(code), PY_GLOBALS)
        _PY_CACHE[py] = fn
    return Expr(source, fn, names, constant, py)


def _reduce_expr(expr: Expr) -> tuple[Any, ...]:
    if not expr.names:
        return _expr, (expr.source, None, expr.names, expr.constant, expr.py)
    fn = expr.fn
    if not isinstance(fn, types.FunctionType) or fn.__globals__ is not PY_GLOBALS or fn.__closure__:
        raise pickle.PicklingError("an expression compiled to a closure tree")
    code = marshal.dumps(fn.__code__)
    return _expr, (expr.source, code, expr.names, expr.constant, expr.py)


_SLOTS: dict[type, tuple[Any, ...]] = {}


def _slotted(cls: type, values: tuple[Any, ...]) -> Any:
    """A slotted dataclass instance from its field values, written through the slots'
    descriptors (the dataclass's own ``__setstate__`` looks its fields up per object)."""
    setters = _SLOTS.get(cls)
    if setters is None:
        setters = _SLOTS[cls] = tuple(getattr(cls, f.name).__set__ for f in fields(cls))
    obj: Any = object.__new__(cls)
    for put_slot, value in zip(setters, values, strict=True):
        put_slot(obj, value)
    return obj


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = {**copyreg.dispatch_table, Expr: _reduce_expr}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls is not Expr and "__slots__" in cls.__dict__ and is_dataclass(cls):
            return _slotted, (cls, tuple(getattr(obj, f.name) for f in fields(cls)))
        if isinstance(obj, types.FunctionType) and (
            "<" in obj.__qualname__ or obj.__closure__ is not None
        ):  # module-level functions are pickled by name; a lambda or closure cannot be
            raise pickle.PicklingError(f"a function in the world: {obj!r}")
        return NotImplemented
