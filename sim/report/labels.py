"""Names as people read them, for the reports and the TUI.

The helpers live in :mod:`sim.engine.labels`, below both the reports and the players, so the
players' rationale lines and the reports word a state name the same way; this module keeps the
reports' import path.
"""

from __future__ import annotations

from sim.engine.labels import short_name, state_labels

__all__ = ["short_name", "state_labels"]
