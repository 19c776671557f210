"""The game server: one aiohttp application, one WebSocket per connection, one authority.

``GET /`` says what this is; ``GET /ws`` is the game. A connection's first frame is ``hello``
with a join code; the code says which exercise and which seat (or control, or observers). Each
connection is one :class:`Client`: a frame for it is written to its socket at once while the
peer keeps up, and otherwise waits in its outbound queue, drained by its own task, so a slow
laptop never holds up the single writer: :meth:`Server.receive` handles a frame to the end
(checked, journalled, applied, fanned out) without awaiting.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import signal
import ssl
import time
from collections.abc import Callable, Sequence
from functools import partial

from aiohttp import WSCloseCode, WSMsgType, web

from ui.net.codes import Limiter, digest
from ui.net.exercise import CONTROL, Exercise
from ui.net.protocol import (
    MAX_WIRE,
    Broadcast,
    ClientFrame,
    CodeAction,
    DraftFrame,
    Error,
    ErrorCode,
    Extend,
    Hello,
    InputFrame,
    Notice,
    OnDeadline,
    Ping,
    Pong,
    PreviewRequest,
    ProtocolError,
    encode,
    encode_ack,
    parse_client,
)

log = logging.getLogger("sitroom.net")
HEARTBEAT = 20.0
"""Seconds between WebSocket pings; a peer silent for half of it more is dropped."""
HELLO_WITHIN = 30.0
BATCH = 1000
"""Most frames handled under one commit."""
BATCH_SECONDS = 0.01
"""A batch takes no more frames once handling it has taken this long, so that the acks of
its first frames are not held behind many round closes (each milliseconds) queued after them."""
SLOW_COMMIT = 0.002
"""Commits that take longer than this (a slow disk's fsync) are made in a worker thread, so
that the loop reads and publishes meanwhile; quicker ones are made in line, which spares
the thread hand-off (under load it cost more than the fsync itself)."""
PUBLISH_SLICE = 0.001
"""Seconds of publishing after which the publisher lets the writer have the loop."""
QUEUE = 2000
"""Frames queued for one connection before it is cut off as too slow (it reconnects and
resumes from its last seq)."""


_ACK = '{"v":1,"type":"ack","id":'
_read_string = json.JSONDecoder().raw_decode
_ERROR = '{"v":1,"type":"error",'


class Stats:
    """The server's own figures for ``benchmarks/bench_serve.py``, kept only in the hidden
    load mode (``serve --exercises N``) and read at ``GET /stats``: how long each acknowledged
    frame took from being read off its socket to its ack being written to the socket, and what
    the single writer spent. ``?reset=1`` starts a new measurement."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.acks: list[float] = []
        self.refused = 0
        self.frames = 0
        self.batches = 0
        self.largest = 0
        self.commit = 0.0
        self.fsync = 0.0
        self.started = time.perf_counter()
        self.cpu = time.process_time()

    def as_json(self) -> dict[str, object]:
        return {
            "acks": self.acks,
            "refused": self.refused,
            "frames": self.frames,
            "batches": self.batches,
            "largest_batch": self.largest,
            "commit_s": self.commit,
            "fsync_s": self.fsync,
            "wall_s": time.perf_counter() - self.started,
            "cpu_s": time.process_time() - self.cpu,
        }


class Gate:
    """Holds back every frame pushed while a batch is uncommitted."""

    def __init__(self) -> None:
        self.held: list[tuple[Client, str]] | None = None
        self._open = asyncio.Event()
        self._open.set()

    def close(self) -> None:
        self.held = []
        self._open.clear()

    def open(self) -> None:
        held, self.held = self.held or [], None
        self._open.set()
        for client, text in held:
            client.push(text)

    async def wait_open(self) -> None:
        await self._open.wait()


class Client:
    """One connection's state: who it is, what it has been sent, what waits to be sent."""

    def __init__(
        self, ws: web.WebSocketResponse, remote: str, n: int, gate: Gate, stats: Stats | None
    ) -> None:
        self.gate = gate
        self.stats = stats
        self.arrived: dict[str, float] = {}
        """Stats mode only: when each frame still unanswered was read, by its id."""
        self.ws = ws
        self.remote = remote
        self.n = n
        self.key = ""
        self.label = f"#{n}"
        self.sent = 0
        self.exercise: Exercise | None = None
        self.out: asyncio.Queue[str | None] = asyncio.Queue(maxsize=QUEUE)
        self.closing = False

    def push(self, text: str) -> None:
        if self.closing:
            return
        if self.gate.held is not None:
            self.gate.held.append((self, text))
            return
        try:
            self.out.put_nowait(text)
        except asyncio.QueueFull:
            self.closing = True
            asyncio.get_running_loop().create_task(
                self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too slow; reconnect")
            )

    def error(self, code: ErrorCode, message: str, frame_id: str | None = None) -> None:
        self.push(encode(Error(code=code, message=message, id=frame_id)))

    def drop(self, code: ErrorCode, message: str) -> None:
        self.error(code, message)
        if not self.closing:
            self.closing = True
            self.out.put_nowait(None)  # always fits: the queue was not full

    async def pump(self) -> None:
        """Send queued frames in order; a None closes the connection."""
        try:
            while True:
                text = await self.out.get()
                if text is None:
                    await self.ws.close(code=WSCloseCode.POLICY_VIOLATION)
                    return
                await self.ws.send_str(text)
                if self.arrived:
                    self._answered(text)
        except (ConnectionError, RuntimeError):
            return  # the peer went away; the reader notices and cleans up

    def _answered(self, text: str) -> None:
        """Stats mode: an ack or error went out; how long after its frame came in."""
        ack = text.startswith(_ACK)
        if ack:
            fid = _read_string(text, len(_ACK))[0]  # the id alone, not the whole frame
        elif text.startswith(_ERROR):
            fid = json.loads(text).get("id")
        else:
            return
        arrived = self.arrived.pop(str(fid), None)
        if arrived is not None and self.stats is not None:
            if ack:
                self.stats.acks.append(time.perf_counter() - arrived)
            else:
                self.stats.refused += 1


class Server:
    """Serves one or more exercises; a join code picks the exercise and the seat."""

    def __init__(
        self,
        exercises: Sequence[Exercise],
        *,
        limiter: Limiter | None = None,
        stats: bool = False,
    ) -> None:
        self.exercises = list(exercises)
        self.stats = Stats() if stats else None
        """Kept only for the load benchmark (``GET /stats``)."""
        self.limiter = limiter or Limiter()
        self.clients: set[Client] = set()
        self._ids = itertools.count(1)
        self.archives = list({id(ex.archive): ex.archive for ex in self.exercises}.values())
        self.inbox: asyncio.Queue[tuple[Client | None, str | Callable[[], None], float]] = (
            asyncio.Queue()
        )
        self.gate = Gate()
        self._unpublished: dict[int, Exercise] = {}
        self._publishing = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None
        for ex in self.exercises:
            ex.on_dirty = self._dirty
            # The deadline's close goes through the writer like any input.
            ex.clock.on_expire = partial(self._queue_expiry, ex)
        self.stop = asyncio.Event()
        """Set to stop serving (signals, or the archive failing)."""
        self._writer: asyncio.Task[None] | None = None
        self._commit_took = 0.0
        """How long commits have been taking (seconds; a moving average)."""

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_WIRE)
        app.router.add_get("/", self.index)
        app.router.add_get("/ws", self.websocket)
        if self.stats is not None:
            app.router.add_get("/stats", self.stats_page)
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._shutdown)
        return app

    async def _start(self, app: web.Application) -> None:
        self._writer = asyncio.create_task(self.write())
        self._writer.add_done_callback(self._writer_done)
        self._publisher = asyncio.create_task(self.publish())

    def _writer_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # The archive cannot commit (disk full, file gone): stop rather than play on
            # with inputs that are not on disk.
            log.critical("the archive failed; stopping", exc_info=task.exception())
            self.stop.set()

    async def write(self) -> None:
        """The single writer: frames in arrival order, in batches under one commit.

        Each input is journalled before it takes effect; the batch is committed before anything
        about it is sent: frames pushed meanwhile are held at the gate, and the publisher waits
        for it. So nothing acknowledged or shown is ever lost, at one fsync per batch. On a
        disk whose fsync is slow the commit is made in a worker thread, so the loop goes on
        reading frames (which make the next batch) and publishing views.
        """
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.inbox.get()]
            self.gate.close()
            try:
                for archive in self.archives:
                    archive.db.execute("BEGIN IMMEDIATE")
                until = time.perf_counter() + BATCH_SECONDS
                for client, item, arrived in batch:  # the loop also sees frames appended
                    # The next queued frame joins this batch's commit while the batch is small
                    # and young; later ones wait for the next batch.
                    if (
                        len(batch) < BATCH
                        and not self.inbox.empty()
                        and time.perf_counter() < until
                    ):
                        batch.append(self.inbox.get_nowait())
                    if isinstance(item, str):
                        assert client is not None
                        # even from a client gone since: it was sent
                        self.receive(client, item, arrived)
                    else:
                        item()
                committing = time.perf_counter()
                if self._commit_took < SLOW_COMMIT:
                    self._commit()
                else:
                    await loop.run_in_executor(None, self._commit)
                if self.stats is not None:
                    self.stats.commit += time.perf_counter() - committing
                    self.stats.batches += 1
                    self.stats.frames += len(batch)
                    self.stats.largest = max(self.stats.largest, len(batch))
                touched = {id(c.exercise): c.exercise for c, _, _ in batch if c and c.exercise}
                for ex in touched.values():
                    ex.settle()
            finally:
                self.gate.open()
            await asyncio.sleep(0)  # let the pumps write the acks before the next batch

    def _commit(self) -> None:
        started = time.perf_counter()
        for archive in self.archives:
            archive.db.execute("COMMIT")
        took = time.perf_counter() - started
        self._commit_took = 0.8 * self._commit_took + 0.2 * took
        if self.stats is not None:
            self.stats.fsync += took

    def _queue_expiry(self, ex: Exercise) -> None:
        self.inbox.put_nowait((None, ex.expire, time.perf_counter()))

    def _dirty(self, ex: Exercise) -> None:
        self._unpublished[id(ex)] = ex
        self._publishing.set()

    async def publish(self) -> None:
        """Fan out events and views, one exercise at a time, yielding between views so that
        the writer keeps journalling and acknowledging while they are computed (but not after
        each of the cheap steps that only send events: a round of the loop costs more)."""
        while True:
            await self._publishing.wait()
            self._publishing.clear()
            while self._unpublished:
                key = next(iter(self._unpublished))
                await self.gate.wait_open()
                since = time.perf_counter()
                for _seat in self._unpublished.pop(key).publish_steps():
                    if time.perf_counter() - since > PUBLISH_SLICE:
                        await asyncio.sleep(0)
                        await self.gate.wait_open()
                        since = time.perf_counter()

    async def index(self, request: web.Request) -> web.Response:
        return web.Response(
            text="sitroom game server. Join a seat with: sitroom join URL --code CODE\n"
        )

    async def stats_page(self, request: web.Request) -> web.Response:
        assert self.stats is not None
        data = self.stats.as_json()
        if request.query.get("reset"):
            self.stats.reset()
        return web.json_response(data)

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_WIRE)
        await ws.prepare(request)
        client = Client(ws, request.remote or "unknown", next(self._ids), self.gate, self.stats)
        self.clients.add(client)
        pump = asyncio.create_task(client.pump())
        timer = asyncio.get_running_loop().call_later(HELLO_WITHIN, self._too_slow, client)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.inbox.put_nowait((client, msg.data, time.perf_counter()))
                elif msg.type == WSMsgType.BINARY:
                    client.error("malformed", "frames are JSON text, not binary")
                else:
                    break
        finally:
            timer.cancel()
            self.clients.discard(client)
            if client.exercise is not None:
                client.exercise.leave(client)
            client.drop("ended", "connection closed")
            try:
                await asyncio.wait_for(pump, 2.0)
            except (TimeoutError, asyncio.CancelledError):
                pump.cancel()
        return ws

    def _too_slow(self, client: Client) -> None:
        if client.exercise is None:
            client.drop("not_joined", f"no hello within {HELLO_WITHIN:.0f} s")

    async def _shutdown(self, app: web.Application) -> None:
        for task in (self._writer, self._publisher):
            if task is not None:
                task.cancel()
        for client in list(self.clients):
            await client.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")

    # -- frames --------------------------------------------------------------------------------
    def receive(self, client: Client, text: str, arrived: float = 0.0) -> None:
        """Handle one frame to the end; nothing a client sends can raise out of here."""
        try:
            frame = parse_client(text)
        except ProtocolError as exc:
            client.error(exc.code, exc.message, exc.frame_id)
            return
        fid = getattr(frame, "id", None)
        if self.stats is not None and isinstance(fid, str):
            client.arrived[fid] = arrived
        try:
            self.dispatch(client, frame)
        except Exception:
            log.exception("frame from %s failed", client.label)
            client.error("illegal", "the server could not handle this frame (logged)")

    def dispatch(self, client: Client, frame: ClientFrame) -> None:
        if isinstance(frame, Ping):
            client.push(encode(Pong(id=frame.id)))
            return
        if isinstance(frame, Hello):
            self.hello(client, frame)
            return
        ex = client.exercise
        if ex is None:
            client.error("not_joined", "send hello with a join code first", frame.id)
            return
        if isinstance(frame, InputFrame):
            ex.receive_input(client, frame)
        elif isinstance(frame, DraftFrame):
            ex.receive_draft(client, frame)
        elif client.key != CONTROL:
            client.error("forbidden", f"only control may send {frame.type}", frame.id)
        elif isinstance(frame, Extend):
            ex.extend(client, frame.id, frame.minutes)
        elif isinstance(frame, Broadcast):
            ex.send_all(Notice(text=frame.text))
            client.push(encode_ack(frame.id))
        elif isinstance(frame, CodeAction):
            ex.code_action(client, frame.id, frame.role, frame.action)
        elif isinstance(frame, OnDeadline):
            ex.set_on_deadline(client, frame.id, frame.then)
        elif isinstance(frame, PreviewRequest):
            ex.preview(client, frame.id)

    def hello(self, client: Client, frame: Hello) -> None:
        if client.exercise is not None:
            client.error("forbidden", "already joined; open another connection for another seat")
            return
        wait = self.limiter.blocked_for(client.remote)
        if wait > 0:
            client.error(
                "rate_limited", f"too many wrong codes from {client.remote}; wait {wait:.0f} s"
            )
            return
        hashed = digest(frame.code)
        for ex in self.exercises:
            role = ex.role_for(hashed)
            if role is not None:
                client.key, client.exercise = role, ex
                client.label = f"{role}#{client.n}" + (f" {frame.client}" if frame.client else "")
                ex.join(client, frame.last_seq)
                return
        self.limiter.failed(client.remote)
        client.error("unknown_code", "unknown or revoked join code")


def ssl_context(certfile: str | None, keyfile: str | None) -> ssl.SSLContext | None:
    """A server TLS context from PEM files, or None for plain HTTP."""
    if certfile is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certfile, keyfile)
    return ctx


async def run(
    server: Server,
    host: str,
    port: int,
    *,
    tls: ssl.SSLContext | None = None,
    started: Callable[[str], None] = lambda url: None,
) -> None:
    """Serve until SIGINT/SIGTERM (or ``server.stop`` is set); ``started`` gets the join URL."""
    runner = web.AppRunner(server.app(), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, ssl_context=tls)
        await site.start()
        bound = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        started(f"{'https' if tls else 'http'}://{shown}:{bound}/")
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.stop.set)
        await server.stop.wait()
    finally:
        await runner.cleanup()
