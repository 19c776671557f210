"""Networked play end to end: a real `sitroom serve` on 127.0.0.1 and real WebSocket clients."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from sim.engine.inputs import Close, Submit
from sim.models import Orders
from sim.models.script import MessageOrder
from tests.net.served import MINI, exported, free_port, run, serve, sitroom, start_join, until
from ui.net.client import Connection, Refused

PROPOSAL = MessageOrder.model_validate(
    {
        "to": ["beta"],
        "text": "Shall we calm things down?",
        "proposal": {"title": "Calm", "terms": {"effects": [{"change": "tension", "by": -5}]}},
    }
)
ALPHA = """kind: script
rounds:
  1:
    alpha:
      messages:
        - to: [beta]
          text: Shall we calm things down?
          proposal: {title: Calm, terms: {effects: [{change: tension, by: -5}]}}
      moves: [{move: talk}]
"""
BETA = """kind: script
rounds:
  1:
    beta:
      answers: [{proposal: p1.alpha.s1, accept: true}]
  2:
    beta:
      moves: [{move: protest, target: alpha}]
"""
SEATS = ("--seat", "alpha=human", "--seat", "beta=human")


def test_two_scripted_seats_agree_within_one_round(tmp_path: Path) -> None:
    """A proposal sent in round 1 is answered and agreed before round 1 closes; each seat's
    observer printed exactly `export --as` for its seat, and the log replays."""
    (tmp_path / "alpha.yaml").write_text(ALPHA)
    (tmp_path / "beta.yaml").write_text(BETA)
    srv = serve(tmp_path, MINI, *SEATS, "--auto-close")
    try:
        a, b, c = srv.codes["alpha"], srv.codes["beta"], srv.codes["observer"]
        watchers = {
            "alpha": start_join(srv.archive, srv.url, "--code", a, "--observe"),
            "beta": start_join(srv.archive, srv.url, "--code", b, "--observe"),
            None: start_join(srv.archive, srv.url, "--code", c, "--observe"),
        }
        players = [
            start_join(srv.archive, srv.url, "--code", a, "--script", str(tmp_path / "alpha.yaml")),
            start_join(srv.archive, srv.url, "--code", b, "--script", str(tmp_path / "beta.yaml")),
        ]
        for p in players:
            out, err = p.communicate(timeout=30)
            assert p.returncode == 0, err
        seen = {}
        for who, p in watchers.items():
            out, err = p.communicate(timeout=30)
            assert p.returncode == 0, err
            seen[who] = [json.loads(line) for line in out.splitlines()]
    finally:
        srv.stop()
    full = exported(srv.archive, srv.session)
    agreed = [e for e in full if e["type"] == "agreement"]
    assert [(e["id"], e["round"]) for e in agreed] == [("p1.alpha.s1", 1)]
    for actor in ("alpha", "beta"):
        assert seen[actor] == exported(srv.archive, srv.session, actor)
    public = seen[None]
    assert {e["type"] for e in public} >= {"move", "round_closed", "ended"}
    # Public: what both seats see, less what only control does (rules firing, state hashes).
    assert [e for e in public if e["type"] in ("trigger", "override")] == []
    assert all(e["hash"] == "" for e in public if e["type"] == "round_closed")
    assert len(public) <= len(seen["alpha"])
    (tmp_path / "log.jsonl").write_text(sitroom(srv.archive, "export", srv.session).stdout)
    verified = sitroom(srv.archive, "replay", str(tmp_path / "log.jsonl"), "--verify")
    assert verified.returncode == 0, verified.stderr


def test_kill_9_mid_round_then_resume_loses_nothing(tmp_path: Path) -> None:
    """Kill -9 mid-round; `serve --resume` on the same port with the same codes file; the
    clients reconnect by themselves and find drafts, submissions and the proposal back; what
    each seat received equals `export --as`; the log replays."""
    port = free_port()
    srv = serve(tmp_path, MINI, *SEATS, port=port)
    draft = Orders.model_validate({"moves": [{"move": "protest", "target": "alpha"}]})

    async def before_crash() -> tuple[Connection, ...]:
        control = Connection(srv.url, srv.codes["control"], retry=30)
        alpha = Connection(srv.url, srv.codes["alpha"], retry=30)
        beta = Connection(srv.url, srv.codes["beta"], retry=30)
        beta2 = Connection(srv.url, srv.codes["beta"], name="laptop 2", retry=30)
        for conn in (control, alpha, beta, beta2):
            await conn.connect()
        await alpha.send(PROPOSAL)
        await alpha.submit(Orders.model_validate({"moves": [{"move": "talk"}]}))
        await beta.save_draft(draft)
        await until(lambda: beta2.draft is not None and "p1.alpha.s1" in beta.proposals(), beta2)
        assert beta2.draft == draft.model_dump(mode="json", exclude_defaults=True)
        return control, alpha, beta, beta2

    async def scenario() -> dict[str, list[dict[str, object]]]:
        control, alpha, beta, beta2 = await before_crash()
        srv.stop(signal.SIGKILL)
        again = serve(tmp_path, "--resume", srv.session, port=port)
        try:
            refused = sitroom(again.archive, "play", "--resume", srv.session)
            assert refused.returncode == 1
            assert "being played by sitroom serve" in refused.stderr
            assert again.codes == srv.codes  # the seats keep their codes
            await until(lambda: beta.reconnects and beta2.reconnects and alpha.reconnects, beta)
            fresh = Connection(again.url, srv.codes["beta"])
            await fresh.connect()
            assert fresh.welcome is not None
            assert fresh.welcome.draft == draft.model_dump(mode="json", exclude_defaults=True)
            assert "p1.alpha.s1" in fresh.proposals()
            await until(lambda: alpha.welcome is not None and alpha.welcome.submitted, alpha)
            answer = {"answers": [{"proposal": "p1.alpha.s1", "accept": True}]}
            await beta2.submit(Orders.model_validate(answer))
            with pytest.raises(Refused, match="round 2 has not opened"):
                await beta.submit(Orders(), round=2)
            while not control.over:
                r = control.round
                await control.input(Close())
                await until(lambda r=r: control.round > r or control.over, control)
            await until(lambda: alpha.over and beta.over and fresh.over, alpha)
            with pytest.raises(Refused, match="ended"):
                await beta.submit(Orders())
            got = {"alpha": list(alpha.events), "beta": list(beta.events)}
            assert fresh.events == beta.events == beta2.events
            for conn in (control, alpha, beta, beta2, fresh):
                await conn.close()
            return got
        finally:
            again.stop()

    got = run(scenario(), timeout=50)
    for actor, events in got.items():
        assert events == exported(srv.archive, srv.session, actor)
    full = exported(srv.archive, srv.session)
    assert [e["round"] for e in full if e["type"] == "agreement"] == [1]
    (tmp_path / "log.jsonl").write_text(sitroom(srv.archive, "export", srv.session).stdout)
    verified = sitroom(srv.archive, "replay", str(tmp_path / "log.jsonl"), "--verify")
    assert verified.returncode == 0, verified.stderr


def test_duplicates_closed_rounds_and_presence(tmp_path: Path) -> None:
    """A resent input id is acknowledged once; control sees who is connected and submitted,
    broadcasts, and renews a code (the old one stops working)."""
    srv = serve(tmp_path, MINI, *SEATS)

    async def scenario() -> None:
        async with (
            Connection(srv.url, srv.codes["control"]) as control,
            Connection(srv.url, srv.codes["alpha"]) as alpha,
        ):
            submit = Submit(actor="alpha", orders=Orders())
            from ui.net.protocol import InputFrame

            first = await alpha.request(InputFrame(id="same", round=1, input=submit), "same")
            second = await alpha.request(InputFrame(id="same", round=1, input=submit), "same")
            assert (first.duplicate, second.duplicate, first.n) == (False, True, second.n)
            await until(lambda: control.presence is not None and _submitted(control), control)
            assert control.presence is not None
            assert control.presence.seats["alpha"].connections == 1
            assert control.presence.seats["beta"].connections == 0
            from ui.net.protocol import Broadcast, CodeAction

            await control.request(Broadcast(id="b1", text="Ten minutes left"), "b1")
            await control.request(CodeAction(id="c1", role="beta", action="renew"), "c1")
            with pytest.raises(Refused, match="unknown or revoked"):
                await Connection(srv.url, srv.codes["beta"]).connect()
            with pytest.raises(Refused, match="only control"):
                await alpha.input(Close())

    try:
        run(scenario())
    finally:
        srv.stop()
    assert sitroom(srv.archive, "export", srv.session).returncode == 0


def _submitted(control: Connection) -> bool:
    return control.presence is not None and control.presence.seats["alpha"].submitted


def test_deadline_closes_rounds_and_control_extends_it(tmp_path: Path) -> None:
    """With --round-minutes, rounds close by themselves (nobody submitted: every seat passes);
    control's extension moves the deadline."""
    srv = serve(tmp_path, MINI, *SEATS, "--round-minutes", "0.01")

    async def scenario() -> None:
        async with Connection(srv.url, srv.codes["control"]) as control:
            assert control.deadline is not None and control.deadline.remaining is not None
            from ui.net.protocol import Extend

            await control.request(Extend(id="e1", minutes=1), "e1")
            assert control.deadline.remaining is not None and control.deadline.remaining > 30
            await control.request(Extend(id="e2", minutes=-2), "e2")
            await until(lambda: control.over, control, timeout=20)

    try:
        run(scenario())
    finally:
        srv.stop()
    closed = [e for e in exported(srv.archive, srv.session) if e["type"] == "round_closed"]
    assert len(closed) == 3


def test_at_the_deadline_the_computer_plays_late_seats_when_control_says_so(
    tmp_path: Path,
) -> None:
    """`--on-deadline computer`: a seat that has not submitted when the deadline passes is
    handed to the computer for that round and back (journalled seat changes), alpha's
    submitted orders stand, and the log replays."""
    srv = serve(tmp_path, MINI, *SEATS, "--round-minutes", "0.02", "--on-deadline", "computer")

    async def scenario() -> None:
        async with Connection(srv.url, srv.codes["control"]) as control:
            await until(lambda: control.presence is not None, control)
            assert control.presence is not None
            assert control.presence.on_deadline == "computer"
            async with Connection(srv.url, srv.codes["alpha"]) as alpha:
                await alpha.submit(Orders())
                await until(lambda: control.round >= 2, control, timeout=20)
            # Control switches back to passing for the rounds left.
            from ui.net.protocol import OnDeadline

            await control.request(OnDeadline(id="d1", then="pass"), "d1")
            await until(lambda: control.over, control, timeout=30)

    try:
        run(scenario(), timeout=60)
    finally:
        srv.stop()
    log = exported(srv.archive, srv.session)
    changes = [(e["actor"], e["seat"]) for e in log if e["type"] == "seat"]
    assert changes == [("beta", "computer"), ("beta", "human")]
    (tmp_path / "log.jsonl").write_text(sitroom(srv.archive, "export", srv.session).stdout)
    verified = sitroom(srv.archive, "replay", str(tmp_path / "log.jsonl"), "--verify")
    assert verified.returncode == 0, verified.stderr


def test_server_figures_only_in_the_hidden_load_mode(tmp_path: Path) -> None:
    """`serve --exercises N` keeps its own ack latencies at GET /stats; a real exercise has
    no such page."""
    import urllib.error
    import urllib.request

    def stats(url: str) -> dict[str, object]:
        with urllib.request.urlopen(url.rstrip("/") + "/stats", timeout=10) as r:
            data: dict[str, object] = json.loads(r.read())
        return data

    one = serve(tmp_path / "one", MINI, *SEATS)
    try:
        with pytest.raises(urllib.error.HTTPError):
            stats(one.url)
    finally:
        one.stop()
    many = serve(tmp_path / "many", MINI, *SEATS, "--exercises", "2")
    try:

        async def scenario() -> None:
            async with Connection(many.url, many.codes["alpha"], tls=False) as alpha:
                await alpha.save_draft(Orders())
                await alpha.send(MessageOrder(to="public", text="hello"))

        run(scenario())
        got = stats(many.url)
        acks = got["acks"]
        assert isinstance(acks, list) and len(acks) == 2
        assert all(0 <= a < 10 for a in acks)
        assert got["frames"] == 3  # hello, draft, message
    finally:
        many.stop()


def test_the_restart_hint_names_the_port_and_codes_file_the_seats_need(tmp_path: Path) -> None:
    """`serve` tells control how to continue after a stop: the same port and codes file, so the
    seats' URL and codes still work (without them a restarted server has new ones)."""
    port = free_port()
    srv = serve(tmp_path, MINI, *SEATS, port=port)
    srv.stop()
    out = srv.proc.stdout.read()  # type: ignore[union-attr]
    (hint,) = [line for line in out.splitlines() if "continue later with:" in line]
    again = hint.split("continue later with: ", 1)[1].split()
    assert again[:3] == ["sitroom", "serve", "--resume"]
    assert again[again.index("--port") + 1] == str(port)
    assert again[again.index("--codes") + 1] == str(srv.codes_path)
    assert "--host" not in again  # the default address
