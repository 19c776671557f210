"""`sitroom serve --rounds N`: a shorter networked exercise (a real server on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.net.served import MINI, run, serve, sitroom
from ui.net.client import Connection

SEATS = ("--seat", "alpha=human", "--seat", "beta=human")


def test_serve_rounds_makes_a_shorter_exercise(tmp_path: Path) -> None:
    """mini has 3 rounds; served with --rounds 2 every seat's welcome says 2, and the archived
    log header records it."""
    srv = serve(tmp_path, MINI, *SEATS, "--rounds", "2")

    async def join() -> tuple[int, int]:
        async with (
            Connection(srv.url, srv.codes["alpha"]) as alpha,
            Connection(srv.url, srv.codes["control"]) as control,
        ):
            assert alpha.welcome is not None and control.welcome is not None
            return alpha.welcome.view["rounds"], control.view.rounds

    try:
        assert run(join()) == (2, 2)
    finally:
        srv.stop()
    exported = sitroom(srv.archive, "export", srv.session)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout.splitlines()[0])["rounds"] == 2


def test_serve_rounds_outside_the_allowance_and_with_resume_are_usage_errors(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive.sqlite3"
    too_many = sitroom(archive, "serve", MINI, *SEATS, "--rounds", "4", "--port", "0")
    assert too_many.returncode == 2, too_many.stderr
    assert "--rounds takes 1 to 3, not 4" in too_many.stderr
    resumed = sitroom(archive, "serve", "--resume", "abc", "--rounds", "2", "--port", "0")
    assert resumed.returncode == 2, resumed.stderr
    assert "drop --rounds" in resumed.stderr
    assert "Traceback" not in too_many.stderr + resumed.stderr
