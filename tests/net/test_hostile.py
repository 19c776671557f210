"""Bad and hostile clients against a real server: every bad frame gets an error reply, nobody
acts for or reads another seat, guessing codes is rate-limited, and the server stays up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp

from sim.models import Orders
from tests.net.served import MINI, run, serve
from ui.net.client import Connection, ws_url

SEATS = ("--seat", "alpha=human", "--seat", "beta=human")


async def reply(ws: aiohttp.ClientWebSocketResponse, frame: Any) -> dict[str, Any]:
    """Send a frame (text, bytes or a dict) and return the next frame, skipping pushes."""
    if isinstance(frame, bytes):
        await ws.send_bytes(frame)
    else:
        await ws.send_str(frame if isinstance(frame, str) else json.dumps(frame))
    while True:
        data: dict[str, Any] = json.loads((await ws.receive(timeout=10)).data)
        if data["type"] in ("error", "ack", "pong", "welcome"):
            return data


def submit(actor: str, fid: str = "x1", round: int = 1) -> dict[str, Any]:
    orders = {"moves": [{"move": "talk"}]}
    return {
        "type": "input",
        "id": fid,
        "round": round,
        "input": {"op": "submit", "actor": actor, "orders": orders},
    }


def test_bad_frames_forged_seats_and_guessed_codes(tmp_path: Path) -> None:
    """Malformed, binary, oversize and premature frames, forged seat names, acting for another
    seat, observers acting, and guessed codes are each refused with a clear error."""
    srv = serve(tmp_path, MINI, *SEATS)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as http:
            bystander = Connection(srv.url, srv.codes["beta"])
            await bystander.connect()
            ws = await http.ws_connect(ws_url(srv.url))
            cases: list[tuple[Any, str, str]] = [
                ("{not json", "malformed", "not JSON"),
                ("[1, 2]", "malformed", "JSON object"),
                (b"\x00\x01", "malformed", "binary"),
                ("x" * 70_000, "too_large", "at most"),
                ({"type": "ping", "v": 9}, "version", "speaks 1"),
                ({"type": "teleport"}, "malformed", "teleport"),
                (submit("alpha"), "not_joined", "hello"),
                # A forged seat name next to a real code: strict frames have no such field.
                ({"type": "hello", "code": srv.codes["alpha"], "actor": "beta"}, "malformed", ""),
            ]
            for frame, code, words in cases:
                got = await reply(ws, frame)
                assert (got["type"], got["code"]) == ("error", code), (frame, got)
                assert words in got["message"]
            welcome = await reply(ws, {"type": "hello", "code": srv.codes["alpha"]})
            assert (welcome["role"], welcome["actor"]) == ("seat", "alpha")
            assert "beta" not in json.dumps(welcome["view"]["factions"])
            forged = await reply(ws, submit("beta", "f1"))
            assert forged["code"] == "forbidden" and "cannot act for beta" in forged["message"]
            close = {"type": "input", "id": "f2", "round": 1, "input": {"op": "close"}}
            assert (await reply(ws, close))["code"] == "forbidden"
            again = await reply(ws, {"type": "hello", "code": srv.codes["beta"]})
            assert again["code"] == "forbidden"  # one seat per connection
            extend = {"type": "extend", "id": "f3", "minutes": 5}
            assert (await reply(ws, extend))["code"] == "forbidden"
            assert (await reply(ws, submit("alpha", "ok1")))["type"] == "ack"

            observer = await http.ws_connect(ws_url(srv.url))
            await reply(observer, {"type": "hello", "code": srv.codes["observer"]})
            assert (await reply(observer, submit("alpha", "o1")))["code"] == "forbidden"
            draft = {"type": "draft", "id": "d1", "round": 1, "orders": {}}
            assert (await reply(observer, draft))["code"] == "forbidden"

            # Past aiohttp's own limit the connection is closed; the server carries on.
            huge = await http.ws_connect(ws_url(srv.url))
            await huge.send_str("x" * (1024 * 1024 + 10))
            msg = await huge.receive(timeout=10)
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)

            guesser = await http.ws_connect(ws_url(srv.url))
            for n in range(5):
                got = await reply(guesser, {"type": "hello", "code": f"aaaa-bbbb-ccc{n}"})
                assert got["code"] == "unknown_code"
            for code in (srv.codes["control"], "zzzz-zzzz-zzzz"):
                got = await reply(guesser, {"type": "hello", "code": code})
                assert got["code"] == "rate_limited"

            # Everyone else is unaffected: the alpha socket still plays, beta still sees.
            assert (await reply(ws, {"type": "ping", "id": "p"}))["type"] == "pong"
            await bystander.submit(Orders())
            assert bystander.submitted.get(1) == {}
            assert all(e.get("actor") != "beta" or e["type"] != "move" for e in bystander.events)
            await bystander.close()
            for sock in (ws, observer, huge, guesser):
                await sock.close()

    try:
        run(scenario())
    finally:
        srv.stop()
    assert srv.proc.returncode in (0, -15)
