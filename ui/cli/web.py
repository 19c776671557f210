"""`sitroom web`: the join screen for browsers (textual-serve), so a team can play from a
laptop without Python.

Each browser tab runs its own `sitroom join URL` process on this machine, which asks for the
join code on its first screen; the game server at URL stays the only authority.
"""

from __future__ import annotations

import shlex
import sys

import click


@click.command("web")
@click.argument("url")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve the browser page on (0.0.0.0: every interface).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8766, show_default=True)
@click.option(
    "--public-url",
    help="The address browsers use, when it differs (behind a reverse proxy, with https).",
)
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False),
    help="Trust this CA (PEM) for an https:// game server with a private certificate.",
)
def web_command(url: str, host: str, port: int, public_url: str | None, cafile: str | None) -> None:
    """Serve the join screen for the exercise at URL to web browsers.

    \b
    Examples:
      sitroom web http://127.0.0.1:8765/ --port 8766
      sitroom web http://127.0.0.1:8765/ --host 0.0.0.0 --port 8766
    """
    from textual_serve.server import Server

    command = [sys.executable, "-m", "ui.cli", "join", url]
    if cafile:
        command += ["--cafile", cafile]
    server = Server(
        shlex.join(command),
        host=host,
        port=port,
        title="sitroom",
        public_url=public_url,
    )
    click.echo(f"Browser seats: open http://{host}:{port}/ (the game server is {url})")
    server.serve()
