"""What the archive commands share: the ``--archive`` option, loading, and one-line errors.

Every failure a user can cause (unknown id, corrupt log, changed scenario) becomes a
:class:`~sim.problems.UserError`, which the ``sitroom`` group prints as one line with exit code 1.

The archive (SQLite, its store and locks) is imported where it is used, so that
``sitroom run --no-archive`` does not load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sim.authoring.problems import UserError
from sim.engine.events import Seat
from sim.engine.session import IllegalInput
from sim.engine.world import World
from sim.record.log import Log, LogError, read_log

if TYPE_CHECKING:
    from sim.record.archive import Archive, ArchivedSession

F = TypeVar("F", bound=Callable[..., Any])

SEED = click.IntRange(-(2**63), 2**63 - 1)
"""A seed the archive can store (SQLite integers are 64-bit)."""


def archive_option(f: F) -> F:
    """``--archive PATH``; without it ``$SITROOM_ARCHIVE`` or the user data dir."""
    return click.option(
        "--archive",
        "archive_path",
        metavar="PATH",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Session archive file (default: $SITROOM_ARCHIVE, else "
        "archive.sqlite3 in your user data directory).",
    )(f)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the archive's, the log reader's and the rules' refusals into user errors."""
    from sim.record.export import UnknownActor
    from sim.record.store import ArchiveError

    try:
        yield
    except (ArchiveError, LogError, UnknownActor) as exc:
        raise UserError(str(exc)) from None
    except IllegalInput as exc:
        raise UserError("; ".join(exc.problems)) from None


@contextmanager
def opened(path: Path | None, *, create: bool = True) -> Iterator[Archive]:
    """The archive, closed afterwards; ``create=False`` refuses to make a new empty file."""
    from sim.record.archive import Archive
    from sim.record.store import default_path

    where = path if path is not None else default_path()
    if not create and not where.exists():
        raise UserError(
            f"no session archive at {where} yet (sessions are archived by "
            "`sitroom play` and `sitroom run`)"
        )
    with user_errors(), Archive(where) as archive:
        yield archive


def load_world(ref: str, expected_hash: str | None = None, what: str = "the log") -> World:
    """Load a scenario by id or path; refuse it if its content changed since ``what``."""
    from sim.authoring.loader import load_scenario

    world = load_scenario(ref)
    if expected_hash is not None and world.content_hash != expected_hash:
        raise UserError(
            f"{what} was recorded with a different version of scenario '{ref}' "
            f"(content hash {expected_hash}, now {world.content_hash})"
        )
    return world


def read(path: Path) -> Log:
    """A log file, or a one-line error naming the file and line."""
    with user_errors():
        return read_log(path)


SESSION_ID = re.compile(r"[0-9a-fA-F]{1,8}")


def log_or_session(
    source: str, archive_path: Path | None, scenario: str | None = None
) -> tuple[Log, World]:
    """A log from a file or an archived session id, with the world it was played in."""
    from sim.record.export import archived_log
    from sim.record.store import UnknownSession

    path = Path(source)
    if path.exists() or not SESSION_ID.fullmatch(source):
        log = read(path)
        what = str(path)
    else:
        with opened(archive_path, create=False) as archive:
            try:
                info = archive.find(source)
            except UnknownSession:
                raise UserError(
                    f"{source}: no such log file, and no session '{source}' in {archive.path}"
                ) from None
            log = archived_log(
                archive,
                info.id,
                load=lambda ref: load_world(
                    scenario or ref, info.scenario_hash, f"session {info.id}"
                ),
            )
            what = f"session {info.id}"
    world = load_world(scenario or log.header["scenario_ref"], log.header["scenario_hash"], what)
    return log, world


def stored_ref(ref: str) -> str:
    """The scenario reference to record: a bundled id as it is, a file by its absolute path, so
    that `report`, `replay` and `--resume` work from any folder."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        return str(path.resolve())
    return ref


def start_archived(
    path: Path | None,
    world: World,
    seed: int,
    seats: dict[str, Seat],
    ref: str,
    meta: dict[str, Any],
    *,
    rounds: int | None = None,
) -> ArchivedSession:
    """A new archived session for a front end (which must ``close()`` it when done); ``rounds``:
    fewer than the scenario's."""
    from sim.record.archive import Archive

    ref = stored_ref(ref)
    with user_errors():
        archive = Archive(path)
        try:
            archived = archive.create(
                world, seed, seats, scenario_ref=ref, meta=meta, rounds=rounds
            )
            archived.lock = archive.lock(archived.id, f"sitroom {meta.get('front_end', '')}")
        except BaseException:
            archive.close()
            raise
    archived.owns_archive = True
    return archived


def resume_archived(
    ref: str, path: Path | None, *, for_play: bool = False, holder: str = "sitroom"
) -> ArchivedSession:
    """Session ``ref`` rebuilt from its journal and recording again; the hook for
    ``run --resume``, ``play --resume`` and ``serve --resume`` (which must ``close()`` it when
    done). A session another process is playing is refused before anything is replayed.

    ``for_play``: the TUI may open a finished session (on its debrief) and human seats; a
    headless run may not, since it would silently pass every human's turns.
    """
    from sim.record.archive import Archive
    from sim.record.store import default_path

    where = path if path is not None else default_path()
    if not where.exists():
        raise UserError(f"no session archive at {where}, so no session '{ref}' to resume")
    with user_errors():
        archive = Archive(where)
        lock = None
        try:
            info = archive.find(ref)
            if info.status == "ended" and not for_play:
                raise UserError(
                    f"session {info.id} has already ended ({info.outcome}); see "
                    f"`sitroom report {info.id}`"
                )
            lock = archive.lock(info.id, holder)
            world = load_world(info.scenario_ref, info.scenario_hash, f"session {info.id}")
            archived = archive.resume(info.id, world=world)
            humans = [a for a, seat in archived.session.seats.items() if seat == "human"]
            if humans and not for_play:
                raise UserError(
                    f"session {info.id} has human seats ({', '.join(humans)}); "
                    f"continue it with `sitroom play --resume {info.id}`"
                )
        except BaseException:
            if lock is not None:
                lock.release()
            archive.close()
            raise
    archived.lock = lock
    archived.owns_archive = True
    return archived


def stored_script(archived: ArchivedSession) -> Path | None:
    """The script a resumed ``sitroom run`` was started with, if any (it must still exist)."""
    info = archived.archive.find(archived.id)
    name = info.meta.get("script")
    if not name:
        scripted = [a for a, s in archived.session.seats.items() if s == "script"]
        if scripted:
            archived.close()
            raise UserError(
                f"session {archived.id} has scripted seats ({', '.join(scripted)}) "
                "but no script on record; pass --script FILE"
            )
        return None
    if not Path(name).is_file():
        archived.close()
        raise UserError(
            f"session {archived.id} was run with the script {name}, which is gone; "
            "pass --script FILE"
        )
    click.echo(f"using the session's script {name}", err=True)
    return Path(name)
