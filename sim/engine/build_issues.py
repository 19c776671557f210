"""The problems a world build reports (:mod:`sim.engine.build`), located by file origin and YAML
path so that the loader can turn them into ``file:line:col`` messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Loc = tuple[str | int, ...]
"""A YAML path: mapping keys and list indexes."""
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class BuildIssue:
    """A problem found while compiling a scenario, located by file origin and YAML path."""

    origin: str
    """``scenario``, ``actor:<id>`` or ``catalogue:<id>``."""
    loc: Loc
    message: str
    offset: int | None = None
    """Character offset inside the expression string at ``loc``, when the problem is in one."""
    severity: Severity = "error"


class BuildFailed(Exception):
    """Raised by helpers inside :func:`sim.engine.build.build` to abandon one item; collected,
    never escapes."""
