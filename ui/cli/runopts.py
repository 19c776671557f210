"""The options `sitroom batch` and `sitroom check` share: how many runs, on how many local
workers, from which batch seed. One definition, so the two commands read and check them alike."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def cpus() -> int:
    """The cores this process may use (not the machine's): the default worker count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def workers_for(workers: int | None, runs: int) -> int:
    """The local workers to start: ``--workers`` or one per available core, never more than
    there are runs."""
    return min(workers or cpus(), runs)


def run_options(default_runs: int, runs_help: str) -> Callable[[F], F]:
    """``-n/--runs`` (passed as ``n``), ``--workers`` and ``--seed``, in that order in --help."""
    options = [
        click.option(
            "-n",
            "--runs",
            "n",
            type=click.IntRange(min=1),
            default=default_runs,
            show_default=True,
            help=runs_help,
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="Local worker processes (default: one per available core).",
        ),
        click.option(
            "--seed",
            type=click.IntRange(-(2**63), 2**63 - 1),
            default=1,
            show_default=True,
            help="Batch seed; run i plays a seed derived from it (shown in batch's --csv).",
        ),
    ]

    def apply(f: F) -> F:
        for option in reversed(options):  # click lists options in decorator order, top first
            f = option(f)
        return f

    return apply
