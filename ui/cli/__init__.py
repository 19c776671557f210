"""The ``sitroom`` command.

Each subcommand lives in its own module and is registered by one line in :data:`COMMANDS`; its
module is imported only when the command runs (or ``--help`` lists it), so ``sitroom validate``
never pays for the engine or the TUI, and nothing here imports textual.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from sim import __version__
from sim.authoring.problems import describe_exception

COMMANDS: dict[str, str] = {
    # name: "module:attribute" - listed in this order by `sitroom --help`
    "play": "ui.cli.play:play_command",
    "serve": "ui.cli.serve:serve_command",
    "join": "ui.cli.join:join_command",
    "web": "ui.cli.web:web_command",
    "run": "ui.cli.run:run_command",
    "replay": "ui.cli.replay:replay_command",
    "validate": "ui.cli.validate:validate_command",
    "new": "ui.cli.new:new_command",
    "schema": "ui.cli.schema:schema_command",
    "list": "ui.cli.listing:list_command",
    "actors": "ui.cli.actors:actors_command",
    "sessions": "ui.cli.sessions:sessions_command",
    "export": "ui.cli.export:export_command",
    "import": "ui.cli.importing:import_command",
    "report": "ui.cli.report:report_command",
    "batch": "ui.cli.batch:batch_command",
}


class SitroomGroup(click.Group):
    """A group that imports subcommands on demand and turns exceptions into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *sorted(set(self.commands) - set(COMMANDS))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), target
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from sim.engine.expr import suggest  # only on a typo: startup stays engine-free

            hint = suggest(name, self.list_commands(ctx), form=" Did you mean '{}'?")
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; user errors print their problems, bugs one 'internal error' line."""
        try:
            return super().main(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # only reaches here with standalone_mode=False; the caller handles them
        except Exception as exc:
            if os.environ.get("SITROOM_DEBUG") == "1":
                raise
            text, code = describe_exception(exc)
            click.echo(text, err=True)
            sys.exit(code)


@click.group(cls=SitroomGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="sitroom")
def main() -> None:
    """sitroom: multi-party crisis exercises in the ICONS style, in the terminal.

    \b
    Facilitators:  sitroom play            run an exercise with human and computer seats
    Analysts:      sitroom run / batch     headless and many-run statistics
    Authors:       sitroom new / validate  write scenarios and check them
    \b
    Exit codes: 0 success, 1 invalid input, 2 bad command line, 70 internal error.
    Set SITROOM_DEBUG=1 to see a traceback for internal errors.
    """
