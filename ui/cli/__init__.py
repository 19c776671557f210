"""The ``sitroom`` command.

Each subcommand lives in its own module and is registered by one line in :data:`COMMANDS`; its
module is imported only when the command runs, so ``sitroom validate`` never pays for the engine
or the TUI, and nothing here imports textual. ``sitroom --help`` lists the commands from
:data:`SUMMARIES` without importing any of them (a command missing there is imported to ask it;
tests/ui/test_cli_lazy.py keeps the two in step with each command's own help).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from sim import __version__

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
    "moves": "ui.cli.moves:moves_command",
    "sources": "ui.cli.sources:sources_command",
    "timeline": "ui.cli.timeline:timeline_command",
    "msel": "ui.cli.msel:msel_command",
    "sessions": "ui.cli.sessions:sessions_command",
    "export": "ui.cli.export:export_command",
    "import": "ui.cli.importing:import_command",
    "report": "ui.cli.report:report_command",
    "batch": "ui.cli.batch:batch_command",
    "check": "ui.cli.check:check_command",
}

SUMMARIES: dict[str, str] = {
    # name: the first sentence of the command's help, as `sitroom --help` lists it
    "play": "Run an exercise in the terminal: setup, hotseat player seats, control, debrief.",
    "serve": "Serve an exercise to seats on other terminals: prints the join URL and one code per "
    "human seat, one for control and one for observers.",
    "join": "Join the exercise served at URL with a join code.",
    "web": "Serve the join screen for the exercise at URL to web browsers.",
    "run": "Run SCENARIO headless (a bundled id or a YAML path; default: the flagship scenario).",
    "replay": "Replay LOG: verify it, print it round by round, or fork it at a round.",
    "validate": "Check scenario, actor, catalogue, script and source FILES (or folders of them).",
    "new": "Create new authoring files from commented templates.",
    "schema": "Print the JSON Schema of a file KIND (default: scenario).",
    "list": "List the bundled scenarios (the default first) and actor profiles.",
    "actors": "List the bundled actor profiles; `actors show ACTOR` reads one with its sources.",
    "moves": "List move types: id, label, who may use them, escalation, requires, chance, effects.",
    "sources": "List the citable sources: key, year, basis (how it was read) and title.",
    "timeline": "Per round: the scheduled injects by audience, then the triggers and end "
    "conditions that fired in that round over N computer-played runs, with the share of runs.",
    "msel": "The master scenario events list (MSEL) as a spreadsheet (.xlsx or .csv).",
    "sessions": "List archived sessions: id, scenario, seed, seats, rounds played, status, "
    "outcome.",
    "export": "Export archived session ID as a log (replayable unless redacted with --as).",
    "import": "Import LOG into the session archive (it is replayed and verified first).",
    "report": "After-action report of LOG (a log file) or ID (an archived session).",
    "batch": "Play SCENARIO N times with every actor played by the computer, and summarise.",
    "check": "Play SCENARIO N times computer-played and fail (exit 1) with a table when its "
    "endings hardly depend on play.",
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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command list, from :data:`SUMMARIES` (importing only commands missing there)."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            summary = SUMMARIES.get(name)
            if summary is None:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                # click's own shortening, on a stand-in that has only the summary as its help
                stand_in = click.Command(name, help=summary)
                rows.append((name, stand_in.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from sim.engine.expr import suggest  # only on a typo: startup stays engine-free

            hint = suggest(name, self.list_commands(ctx), form=" Did you mean '{}'?")
            ctx.fail(f"No such command '{name}'.{hint}")
        resolved = super().resolve_command(ctx, args)
        if name not in IMPORTS_LATER:
            started()
        return resolved

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; user errors print their problems, bugs one 'internal error' line."""
        if not args and "args" not in kwargs and gc.isenabled():
            # The process's own command line (not a test's CliRunner): no collections while the
            # command's modules load (see started).
            gc.disable()
            _STARTING.append(True)
        for stream in (sys.stdout, sys.stderr):
            # A terminal or pipe that is not UTF-8 (LANG=C, PYTHONIOENCODING=ascii) gets escapes
            # for Hangul and dashes instead of an exit on the first one.
            encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
            if encoding != "utf8" and hasattr(stream, "reconfigure"):
                stream.reconfigure(errors="backslashreplace")
        try:
            return super().main(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # only reaches here with standalone_mode=False; the caller handles them
        except Exception as exc:
            if os.environ.get("SITROOM_DEBUG") == "1":
                raise
            from sim.authoring.problems import describe_exception  # only on an error

            text, code = describe_exception(exc)
            click.echo(text, err=True)
            sys.exit(code)
        finally:
            started()


_STARTING: list[bool] = []
"""Set while the process's start-up runs with the collector off."""

IMPORTS_LATER = frozenset({"play", "run", "batch"})
"""Commands that load most of what they need when they run (Textual, the world), and call
:func:`started` themselves once they have (a world built without the cache made ~70
collections too, ~37 ms of a 0.16 s load)."""


def started() -> None:
    """End of start-up: collect again, with everything start-up built frozen (never examined).

    Importing the engine, pydantic and Textual makes ~50,000 (the TUI: ~100,000) long-lived
    tracked objects and next to no garbage; the collector ran ~70 times over them while they
    were made (~14 ms of a 0.3 s `sitroom run`, ~55 ms of `sitroom play`'s first screen).
    Frozen, they also stay out of every later full collection (and a forked batch worker does
    not touch their pages to examine them).
    """
    if _STARTING:
        _STARTING.clear()
        gc.freeze()
        gc.enable()


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
