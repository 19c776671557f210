"""After-action reports: Markdown for terminals and git, self-contained HTML for sharing.

``write_report(session_or_log, world, fmt)`` is the one entry point (the CLI's ``sitroom report``
and the TUI's debrief screen both call it). With ``as_actor`` the report is built from the log
redacted for that actor (its view's events, see :mod:`sim.record.export`) and what it believed
is folded from those events alone, so it can only say what that actor could know.
"""

from __future__ import annotations

from typing import Literal

from sim.engine.session import Session
from sim.engine.world import World
from sim.record.export import full_log, redact_log
from sim.record.log import Log
from sim.report.facts import Debrief, gather

Format = Literal["md", "html"]
FORMATS: tuple[Format, ...] = ("md", "html")

__all__ = ["FORMATS", "Debrief", "Format", "debrief", "write_report"]


def debrief(source: Session | Log, world: World, *, as_actor: str | None = None) -> Debrief:
    """The report's content, for front ends that lay it out themselves."""
    log = source if isinstance(source, Log) else full_log(source)
    if as_actor is not None:
        log = redact_log(log, as_actor, world)
    return gather(log, world)


def write_report(
    source: Session | Log, world: World, fmt: Format = "md", *, as_actor: str | None = None
) -> str:
    """The after-action report of a session or log as Markdown or HTML text."""
    facts = debrief(source, world, as_actor=as_actor)
    if fmt == "html":
        from sim.report.html import render  # pulls in the plotting library only when needed

        return render(facts)
    from sim.report.markdown import render as render_md

    return render_md(facts)
