"""The Textual app: wires one session to the screens of the hotseat flow.

Screens report what happened with messages (``SeatScreen.Submitted``, ``ControlScreen.Closed``,
...); the app only decides which screen comes next, via :class:`ui.tui.game.Game`. Every turn
*switches* the top screen, so a seat's widgets are gone before the next seat sees the terminal.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from sim.engine.events import Seat
from sim.engine.session import Session
from ui.tui.catalog import ScenarioChoice
from ui.tui.game import Game, SessionFactory, Step, new_session
from ui.tui.link import SeatLink
from ui.tui.screens.dialogs import ConfirmDialog
from ui.tui.screens.help import HelpScreen, ours
from ui.tui.screens.setup import SetupScreen
from ui.tui.text import WIDE, actor_name

if TYPE_CHECKING:
    from ui.tui.screens.control import ControlScreen
    from ui.tui.screens.debrief import ReportHook
    from ui.tui.screens.privacy import PrivacyScreen
    from ui.tui.screens.results import ResultsScreen
    from ui.tui.screens.seat import SeatScreen

LATER_SCREENS = (
    "ui.tui.screens.privacy",
    "ui.tui.screens.seat",
    "ui.tui.screens.control",
    "ui.tui.screens.results",
    "ui.tui.screens.debrief",
)
"""Screens of the exercise itself: imported after the setup screen is up, not before (the
first screen appears sooner), in a worker thread while the facilitator reads the setup."""


def _import_later_screens() -> None:
    for name in LATER_SCREENS:
        importlib.import_module(name)


class SitroomApp(App[None]):
    """``sitroom play``."""

    CSS_PATH = "sitroom.tcss"
    TITLE = "sitroom"
    # Not annotated: Textual declares this attribute in a way mypy reads as an instance variable.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]  # noqa: RUF012
    """From 110 columns, seat and control screens show a side panel (see sitroom.tcss)."""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark,f1", "help", "Help")]

    def __init__(
        self,
        choices: Sequence[ScenarioChoice],
        *,
        selected: str | None = None,
        seats: Mapping[str, Seat] | None = None,
        seed: int = 1,
        rounds: int | None = None,
        factory: SessionFactory = new_session,
        report: ReportHook | None = None,
        session: Session | None = None,
        link: SeatLink | None = None,
    ) -> None:
        super().__init__()
        self.link = link
        """Where seats' drafts are kept as they are written (the archive), if anywhere."""
        self.resumed = session
        """A session to continue (``play --resume``): the app skips setup and rejoins it."""
        self.choices = list(choices)
        self.selected = selected
        self.preset_seats = dict(seats or {})
        self.seed = seed
        self.rounds = rounds
        """Rounds the setup screen offers first (``play --rounds``), where the scenario allows."""
        self.factory = factory
        self.report = report
        self.game: Game | None = None

    def on_mount(self) -> None:
        self.call_after_refresh(
            lambda: self.run_worker(_import_later_screens, thread=True, name="import screens")
        )
        if self.resumed is not None:
            self.game = Game(self.resumed)
            self.push_screen(Screen())  # a base for _next() to switch away from
            self._next()
            return
        self.push_screen(
            SetupScreen(
                self.choices,
                selected=self.selected,
                seats=self.preset_seats,
                seed=self.seed,
                rounds=self.rounds,
            )
        )

    # -- the flow ------------------------------------------------------------------------------
    def _game(self) -> Game:
        assert self.game is not None, "no exercise is running"
        return self.game

    @on(SetupScreen.Start)
    def _flow_start(self, event: SetupScreen.Start) -> None:
        self.game = Game(self.factory(event.setup), round_minutes=event.setup.round_minutes)
        self.game.start_clock()
        # Everything alive now (modules, the compiled world, Textual's machinery) lives until
        # exit: freezing it keeps full garbage collections, which otherwise land as 100 ms
        # pauses between turns, down to the objects made since.
        gc.collect()
        gc.freeze()
        self._next()

    def _next(self) -> None:
        from ui.tui.screens.debrief import DebriefScreen
        from ui.tui.screens.privacy import PrivacyScreen

        # Collect garbage while the keyboard changes hands, not while the next screen builds.
        self.call_after_refresh(gc.collect)
        game = self._game()
        step = game.next_step()
        now = game.control_view()  # the round and the clock only: nothing of it is shown
        if step.kind == "debrief":
            self.switch_screen(DebriefScreen(game.session, self.report))
        elif step.kind == "control":
            self.switch_screen(
                PrivacyScreen(
                    step,
                    "facilitator (control)",
                    f"Control: review the submissions and close round {now.round} of {now.rounds}.",
                )
            )
        elif step.kind == "results":
            self.switch_screen(
                PrivacyScreen(
                    step,
                    f"{actor_name(game.world, step.actor)} team",
                    "The exercise has ended: read your last round's results.",
                )
            )
        else:
            name = actor_name(game.world, step.actor)
            read = "read your results, then " if game.last_round else ""
            self.switch_screen(
                PrivacyScreen(
                    step,
                    f"{name} team",
                    f"Round {now.round} of {now.rounds}: {read}write your orders.",
                )
            )

    # Handlers by name (``on_<screen>_<message>``), not ``@on(Screen.Message)``: the screens'
    # modules are imported after the first screen is up.
    def on_privacy_screen_ready(self, event: PrivacyScreen.Ready) -> None:
        from ui.tui.screens.control import ControlScreen

        game = self._game()
        step: Step = event.step
        if step.kind == "control":
            self.switch_screen(ControlScreen(game))
        elif step.actor is not None and (step.kind == "results" or game.last_round is not None):
            self._results(step.actor)
        elif step.actor is not None:
            self._seat(step.actor)

    def _seat(self, actor: str) -> None:
        from ui.tui.screens.seat import SeatScreen

        game = self._game()
        # Seats share this screen, so a message is delivered when written: a seat whose turn
        # comes later in the round reads it (on its own turn only) and can answer it.
        self.switch_screen(
            SeatScreen(
                game.session, actor, game.time_left, link=self.link, deliver=game.session.send
            )
        )

    def _results(self, actor: str | None) -> None:
        from ui.tui.screens.results import ResultsScreen

        game = self._game()
        view = game.session.view(actor)
        closed = game.last_round or view.round - 1
        self.switch_screen(
            ResultsScreen(game.world, actor, closed, game.round_events(view), view.events)
        )

    def on_results_screen_done(self, event: ResultsScreen.Done) -> None:
        if event.actor is None or self._game().control_view().over:
            self._next()
        else:
            self._seat(event.actor)

    def on_seat_screen_submitted(self, _: SeatScreen.Submitted) -> None:
        self._next()

    def on_control_screen_closed(self, _: ControlScreen.Closed) -> None:
        self._results(None)

    async def action_quit(self) -> None:
        """Quit; while an exercise is running, only after a confirmation."""
        now = self.game.control_view() if self.game is not None else None
        if now is None or now.over or isinstance(self.screen, ConfirmDialog):
            self.exit()
            return

        def answered(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(
            ConfirmDialog("Quit the exercise?", f"Round {now.round} is in progress."),
            answered,
        )

    # -- help and the command palette ----------------------------------------------------------
    def action_help(self) -> None:
        """Keys and flow for the current screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette command."""
        seen = set()
        for active in screen.active_bindings.values():
            b = active.binding
            if (
                not b.description
                or not active.enabled
                or b.action in seen
                or b.system
                or not ours(active)
            ):
                continue
            seen.add(b.action)
            key = self.get_key_display(b)
            yield SystemCommand(
                b.description, f"key: {key}", partial(self.run_action, b.action, active.node)
            )
        yield from super().get_system_commands(screen)
