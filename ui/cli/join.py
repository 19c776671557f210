"""`sitroom join`: play a seat (or control, or watch) against a `sitroom serve` server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from sim.authoring.problems import UserError


@click.command("join")
@click.argument("url")
@click.option(
    "--code", help="The join code the facilitator gave you (without it, the first screen asks)."
)
@click.option(
    "--script",
    "script_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Play the seat headless from a script file (rehearsals, tests, load).",
)
@click.option(
    "--observe", is_flag=True, help="Print the events this code's seat receives as JSON lines."
)
@click.option("--name", default="", help="How control's presence list shows this connection.")
@click.option(
    "--retry",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to keep reconnecting after the server goes away.",
)
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False),
    help="Trust this CA (PEM) for an https:// server with a private certificate.",
)
def join_command(
    url: str,
    code: str | None,
    script_path: Path | None,
    observe: bool,
    name: str,
    retry: float,
    cafile: str | None,
) -> None:
    """Join the exercise served at URL with a join code.

    \b
    Without --script or --observe, the seat's screens (or control's, or an observer's) open
    in the terminal; without --code, the first screen asks for it.

    \b
    Examples:
      sitroom join http://10.0.0.5:8765/ --code k3fq-9xwa-m2tc
      sitroom join http://10.0.0.5:8765/ --code k3fq-9xwa-m2tc --observe
      sitroom join http://10.0.0.5:8765/ --code k3fq-9xwa-m2tc --script us.yaml
    """
    if script_path is not None and observe:
        raise click.UsageError("--script plays the seat, --observe watches it: choose one")
    import ssl

    tls: ssl.SSLContext | bool = ssl.create_default_context(cafile=cafile) if cafile else True
    if script_path is None and not observe:
        from ui.tui.remote import JoinApp

        JoinApp(url, code, name=name, retry=retry, tls=tls).run()
        return
    if code is None:
        raise click.UsageError("--script and --observe need --code")
    script = None
    if script_path is not None:
        from sim.authoring.loader import load_file
        from sim.models import Script

        model, _doc = load_file(script_path, expect="script")
        assert isinstance(model, Script)
        script = model
    asyncio.run(_join(url, code, script, name, retry, tls))


async def _join(url: str, code: str, script: object, name: str, retry: float, tls: object) -> None:
    import aiohttp

    from sim.models import Script
    from ui.net.client import Connection, Refused
    from ui.net.headless import observe, play_script

    conn = Connection(url, code, name=name, retry=retry, tls=tls)  # type: ignore[arg-type]
    try:
        await conn.connect()
    except Refused as exc:
        raise UserError(f"{url}: {exc.message}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise UserError(f"cannot reach the sitroom server at {url} ({exc})") from None
    try:
        if isinstance(script, Script):
            if conn.actor is None:
                raise UserError(f"this code joins as {conn.role}; a script plays a seat's code")
            await play_script(conn, script)
        else:
            await observe(conn)
    except (Refused, ConnectionError) as exc:
        raise UserError(f"{url}: {exc}") from None
    finally:
        await conn.close()
