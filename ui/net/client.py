"""A client's connection to the game server, for any front end (headless script, observer,
the Textual app's worker): join with a code, keep what the seat has seen, resume after a drop
from the last event seq, and send inputs that count exactly once.

An input gets an id when first sent; after a reconnect every unacknowledged one is sent again
with the same id, and the server acknowledges a duplicate without applying it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import ssl
import time
from collections.abc import AsyncIterator
from itertools import count
from typing import Any

import aiohttp

from sim.engine.inputs import Input, Send, Submit
from sim.engine.view import View, view_from_json
from sim.models import Orders
from sim.models.script import MessageOrder
from ui.net.protocol import (
    MAX_WIRE,
    Ack,
    Deadline,
    DeadlineInfo,
    Debrief,
    DraftFrame,
    DraftUpdate,
    Error,
    Events,
    Frame,
    Hello,
    InputFrame,
    LockedMove,
    Presence,
    Preview,
    PreviewRequest,
    ProtocolError,
    ServerFrame,
    Submitted,
    ViewFrame,
    Welcome,
    encode,
    parse_server,
)


class Refused(Exception):
    """The server refused a frame: ``code`` as in the protocol, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message


def ws_url(url: str) -> str:
    """The game's WebSocket address from the join URL the server printed."""
    base = url.rstrip("/")
    if base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    elif base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif not base.startswith(("ws://", "wss://")):
        base = "ws://" + base
    return base if base.endswith("/ws") else base + "/ws"


class Connection:
    """One seat's (or control's, or an observer's) live connection."""

    def __init__(
        self,
        url: str,
        code: str,
        *,
        name: str = "",
        tls: ssl.SSLContext | bool = True,
        retry: float = 60.0,
    ) -> None:
        self.url = ws_url(url)
        self.code = code
        self.name = name
        self.tls = tls
        self.retry = retry
        """Seconds to keep trying to reconnect after a drop before giving up."""
        self.welcome: Welcome | None = None
        self.events: list[dict[str, Any]] = []
        self.view_data: dict[str, Any] = {}
        self.draft: dict[str, Any] | None = None
        self.submitted: dict[int, dict[str, Any]] = {}
        self.deadline: DeadlineInfo | None = None
        self.presence: Presence | None = None
        self.preview: Preview | None = None
        """Control: the last adjudication preview it asked for."""
        self.locked: list[LockedMove] = []
        """A seat: its own moves it may not use now, and why."""
        self.debrief: Debrief | None = None
        """Control, once the exercise has ended: the endings and objectives."""
        self.failed: Exception | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, tuple[str, asyncio.Future[Ack]]] = {}
        self._ids = count(1)
        self._prefix = secrets.token_hex(4)
        self._frames: asyncio.Queue[ServerFrame | None] = asyncio.Queue()
        self._tick = asyncio.Event()
        self._closed = False
        self.reconnects = 0

    # -- reading what the seat has -------------------------------------------------------------
    @property
    def role(self) -> str | None:
        return self.welcome.role if self.welcome else None

    @property
    def actor(self) -> str | None:
        return self.welcome.actor if self.welcome else None

    @property
    def round(self) -> int:
        return int(self.view_data.get("round", 0))

    @property
    def over(self) -> bool:
        return self.view_data.get("outcome") is not None

    @property
    def view(self) -> View:
        """The seat's view with every event it has received."""
        return view_from_json(self.view_data | {"events": self.events})

    @property
    def connected(self) -> bool:
        """Whether the connection is up now (False while it reconnects)."""
        return self._ws is not None and not self._ws.closed and self.failed is None

    def proposals(self) -> set[str]:
        """Ids of the open proposals in the seat's view."""
        return {p["id"] for p in self.view_data.get("proposals", ())}

    # -- the connection ------------------------------------------------------------------------
    async def connect(self) -> Welcome:
        """Join; raise Refused if the server says no (a wrong code, a rate limit)."""
        self._http = aiohttp.ClientSession()
        try:
            welcome = await self._open()
        except BaseException:
            await self._http.close()
            raise
        self._reader = asyncio.create_task(self._read_loop())
        return welcome

    async def _open(self) -> Welcome:
        assert self._http is not None
        ws = await self._http.ws_connect(
            self.url, heartbeat=20.0, max_msg_size=MAX_WIRE, ssl=self.tls
        )
        last = len(self.events) - 1
        await ws.send_str(encode(Hello(code=self.code, last_seq=last, client=self.name)))
        msg = await ws.receive(timeout=30.0)
        if msg.type != aiohttp.WSMsgType.TEXT:
            await ws.close()
            raise ConnectionError(f"the server closed the connection ({msg.type.name})")
        frame = parse_server(msg.data)
        if isinstance(frame, Error):
            await ws.close()
            raise Refused(frame.code, frame.message)
        if not isinstance(frame, Welcome):
            await ws.close()
            raise ProtocolError("malformed", f"expected welcome, got {frame.type}")
        self._ws = ws
        self._handle(frame)
        for text, _future in self._pending.values():
            await ws.send_str(text)  # same ids: the server ignores what it already has
        return frame

    async def _read_loop(self) -> None:
        while True:
            ws = self._ws
            assert ws is not None
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self._handle(parse_server(msg.data))
                elif msg.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                    break
            if self._closed:
                break
            try:
                await self._reconnect()
            except Exception as exc:
                self.failed = exc
                break
        for _text, future in self._pending.values():
            if not future.done():
                future.set_exception(self.failed or ConnectionError("connection closed"))
        self._frames.put_nowait(None)
        self._tick.set()

    async def _reconnect(self) -> None:
        give_up = time.monotonic() + self.retry
        delay = 0.1
        while True:
            try:
                await self._open()
                self.reconnects += 1
                return
            except Refused as exc:
                if exc.code != "rate_limited":
                    raise
            except (aiohttp.ClientError, ConnectionError, OSError, TimeoutError):
                pass
            if time.monotonic() + delay > give_up:
                raise ConnectionError(f"lost the server at {self.url} and could not reconnect")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _handle(self, frame: ServerFrame) -> None:
        if isinstance(frame, Welcome):
            self.welcome = frame
            self._add(frame.events)
            self.view_data = dict(frame.view)
            self.draft = frame.draft
            self.deadline = frame.deadline
            self.locked = list(frame.locked or ())
        elif isinstance(frame, Events):
            self._add(frame.events)
        elif isinstance(frame, ViewFrame):
            self.view_data = dict(frame.view)
            if frame.locked is not None:
                self.locked = list(frame.locked)
        elif isinstance(frame, Preview):
            self.preview = frame
        elif isinstance(frame, Debrief):
            self.debrief = frame
        elif isinstance(frame, DraftUpdate):
            self.draft = frame.orders
        elif isinstance(frame, Submitted):
            self.submitted[frame.round] = frame.orders
        elif isinstance(frame, Deadline):
            self.deadline = frame.deadline
        elif isinstance(frame, Presence):
            self.presence = frame
        elif isinstance(frame, Ack | Error) and frame.id is not None:
            pending = self._pending.pop(frame.id, None)
            if pending is not None and not pending[1].done():
                if isinstance(frame, Ack):
                    pending[1].set_result(frame)
                else:
                    pending[1].set_exception(Refused(frame.code, frame.message))
        self._frames.put_nowait(frame)
        self._tick.set()
        self._tick = asyncio.Event()

    def _add(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            if e["seq"] == len(self.events):  # anything older is a resend
                self.events.append(e)

    async def frames(self) -> AsyncIterator[ServerFrame]:
        """Every frame as it arrives (state is updated first), until the connection ends."""
        while True:
            frame = await self._frames.get()
            if frame is None:
                return
            yield frame

    async def changed(self, timeout: float | None = None) -> None:
        """Wait for the next frame (or the timeout)."""
        tick = self._tick
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tick.wait(), timeout)

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._reader, 5.0)
        if self._http is not None:
            await self._http.close()

    async def __aenter__(self) -> Connection:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- sending -------------------------------------------------------------------------------
    def new_id(self) -> str:
        return f"{self._prefix}.{next(self._ids)}"

    async def request(self, frame: Frame, frame_id: str) -> Ack:
        """Send a frame with an id and wait for its ack; raise Refused on an error reply."""
        if self.failed is not None:
            raise self.failed
        future: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        text = encode(frame)
        self._pending[frame_id] = (text, future)
        with contextlib.suppress(ConnectionError, RuntimeError):
            if self._ws is not None and not self._ws.closed:
                await self._ws.send_str(text)  # if not, the reconnect sends it
        return await future

    async def input(self, inp: Input, round: int | None = None) -> Ack:
        fid = self.new_id()
        frame = InputFrame(id=fid, round=self.round if round is None else round, input=inp)
        return await self.request(frame, fid)

    async def submit(self, orders: Orders, round: int | None = None) -> Ack:
        assert self.actor is not None, "only a seat submits orders"
        return await self.input(Submit(actor=self.actor, orders=orders), round)

    async def send(self, message: MessageOrder, round: int | None = None) -> Ack:
        assert self.actor is not None, "only a seat sends messages"
        return await self.input(Send(actor=self.actor, message=message), round)

    async def ask_preview(self) -> Preview:
        """Control: the open round's adjudication preview (raise Refused for anyone else)."""
        fid = self.new_id()
        await self.request(PreviewRequest(id=fid), fid)
        assert self.preview is not None  # it comes before its ack
        return self.preview

    async def save_draft(self, orders: Orders) -> Ack:
        fid = self.new_id()
        return await self.request(DraftFrame(id=fid, round=self.round, orders=orders), fid)
