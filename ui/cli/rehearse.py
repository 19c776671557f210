"""``sitroom play --from LOG --until N``: open the terminal app at round N of a recorded run.

The log's inputs for rounds 1..N-1 are replayed into a new session (same scenario, seed and
seats), so round N is open for decisions, exactly as it was when the run reached it; the
rehearsal then goes its own way. With the archive on, the new session is journalled as any
exercise is (its replayed inputs included), so it can be resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sim.authoring.problems import UserError
from sim.engine.events import RoundClosed
from sim.engine.session import Session
from sim.record.log import inputs_from_log, replay_inputs

if TYPE_CHECKING:
    from sim.record.archive import ArchivedSession


def rehearsal(
    log_path: Path, until: int, archive_path: Path | None, no_archive: bool
) -> tuple[Session, ArchivedSession | None]:
    """A new session at round ``until`` of the run in ``log_path`` (archived unless told not)."""
    from ui.cli.archiving import start_archived
    from ui.cli.replay import _load, log_content_errors

    log, world = _load(log_path, None)
    closed = max((e.round for e in log.events if isinstance(e, RoundClosed)), default=0)
    if until > closed + 1:
        raise UserError(
            f"{log_path} closes rounds 1..{closed}, so it can open at round 1..{closed + 1}, "
            f"not {until}"
        )
    seed, seats = int(log.header["seed"]), dict(log.header["seats"])
    archived = None
    if no_archive:
        session = Session(world, seed, seats, scenario_ref=log.header.get("scenario_ref"))
    else:
        meta = {"front_end": "play", "rehearsal_of": str(log_path), "from_round": until}
        archived = start_archived(
            archive_path, world, seed, seats, str(log.header["scenario_ref"]), meta
        )
        session = archived.session
    try:
        with log_content_errors(log_path):
            replay_inputs(session, inputs_from_log(log), until_round=until - 1)
        if session.over:
            raise UserError(f"{log_path}: the run ended before round {until}")
    except BaseException:
        if archived is not None:
            archived.close()
        raise
    return session, archived


def rehearse(
    log_path: Path,
    until: int,
    archive_path: Path | None,
    no_archive: bool,
    report: Callable[[Session], str],
) -> None:
    """Replay ``log_path`` up to round ``until`` and run the app on the session."""
    session, archived = rehearsal(log_path, until, archive_path, no_archive)
    try:
        from ui.tui.app import SitroomApp

        SitroomApp([], session=session, report=report).run()
    finally:
        if archived is not None:
            archived.close()
    if archived is not None:
        click.echo(
            f"Session {archived.id} is in the archive: `sitroom play --resume {archived.id}` "
            "to continue."
        )
