"""What a seat screen needs besides the view: where its draft is kept and how a message goes.

The seat screen talks to a :class:`SeatSource` (a local :class:`~sim.engine.session.Session`, or
:class:`ui.tui.remote.RemoteSeat` over the network) and, optionally, a :class:`SeatLink` that
keeps the orders being written (the archive's drafts table for hotseat play, the server for
networked play) and, in networked play, sends messages at once instead of with the orders.
"""

from __future__ import annotations

from typing import Any, Protocol

from sim.engine.view import View
from sim.engine.world import World
from sim.models import Orders
from sim.models.script import MessageOrder


class SeatSource(Protocol):
    """The session surface a seat screen reads and submits to."""

    @property
    def world(self) -> World:
        """The public scenario (labels, clock, move names)."""

    def view(self, actor: str | None) -> View:
        """What the seat sees now."""

    def check(self, actor: str, orders: Orders) -> list[str]:
        """Why these orders would be refused (empty: they would not)."""

    def warnings(self, actor: str, orders: Orders) -> list[str]:
        """Agreements in force these orders would breach."""

    def submit(self, actor: str, orders: Orders) -> None:
        """Hand in the round's orders (raise IllegalInput if refused at once)."""


class SeatLink(Protocol):
    """Where a seat's draft lives, and whether messages are delivered when written."""

    def load_draft(self, actor: str, round: int) -> Orders | None:
        """The draft kept for ``actor`` in ``round``, if any."""

    def save_draft(self, actor: str, round: int, orders: Orders) -> None:
        """Keep the draft as it is now."""

    def send(self, actor: str, message: MessageOrder) -> bool:
        """Deliver ``message`` now; False: it goes with the orders instead."""


def orders_json(orders: Orders) -> dict[str, Any]:
    """Orders as the archive and the wire keep them."""
    return orders.model_dump(mode="json", exclude_defaults=True)


class ArchiveLink:
    """Hotseat drafts kept in the archive as they change, so a killed terminal loses nothing
    (``sitroom play --resume`` brings them back)."""

    def __init__(self, archive: Any, session_id: str) -> None:
        self.archive = archive
        """A :class:`sim.record.archive.Archive` (typed loosely: ui.tui does not import it)."""
        self.session_id = session_id
        self._saved: dict[str, tuple[int, dict[str, Any]]] = dict(archive.drafts(session_id))

    def load_draft(self, actor: str, round: int) -> Orders | None:
        kept = self._saved.get(actor)
        if kept is None or kept[0] != round:
            return None
        return Orders.model_validate(kept[1])

    def save_draft(self, actor: str, round: int, orders: Orders) -> None:
        data = orders_json(orders)
        if self._saved.get(actor) == (round, data):
            return
        kept = self._saved.get(actor)
        if not data and (kept is None or kept[0] != round):
            return  # nothing written yet this round: nothing to keep
        self.archive.save_draft(self.session_id, actor, round, data)
        self._saved[actor] = (round, data)

    def send(self, actor: str, message: MessageOrder) -> bool:
        return False
