"""Local parallel batch runs over a process pool, and the in-order window both pools share."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

from sim.batch.runs import Chunk, Plan, Span, install, play, start_worker
from sim.engine.world import World

T = TypeVar("T", covariant=True)


class Pending(Protocol[T]):
    """A submitted task: a ``concurrent.futures`` or a Dask future."""

    def result(self) -> T:
        """Wait for the task and return its value (or raise its exception)."""
        ...


def in_order(
    submit: Callable[[Span], Pending[Chunk]], spans: Iterable[Span], window: int
) -> Iterator[Chunk]:
    """Submit spans with at most ``window`` in flight and yield their answers in span order.

    Waiting for the oldest task keeps aggregation in run-index order (so floating-point sums are
    identical for any number of workers) while the window keeps every worker busy; the parent
    holds at most ``window`` chunks, whatever the number of runs.
    """
    todo = iter(spans)
    pending: deque[Pending[Chunk]] = deque(
        submit(s) for _, s in zip(range(window), todo, strict=False)
    )
    while pending:
        chunk = pending.popleft().result()
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(submit(nxt))
        yield chunk


def start_method() -> str:
    """``fork`` on Linux, else ``spawn``.

    Forking lets workers inherit the imported engine and the worlds the parent already built (a
    spawned worker re-imports and rebuilds, ~0.5 s each). The pool is started before any progress
    thread exists, and macOS is excluded because forking is unsafe with its system frameworks.
    """
    methods = multiprocessing.get_all_start_methods()
    return "fork" if sys.platform == "linux" and "fork" in methods else "spawn"


ORPHAN_POLL = 0.5
"""Seconds between a worker's checks that the batch that started it is still alive."""


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(ORPHAN_POLL)
        if os.getppid() != parent:
            os._exit(1)  # the batch is gone (kill -9 included): nobody wants these runs


def start_orphan_safe_worker(plan: Plan, parent: int) -> None:
    """A pool worker's initializer: end when the parent dies, then the usual start.

    A process pool's workers outlive a parent killed with SIGKILL (nothing runs in it to stop
    them); each worker therefore watches its parent id and exits once it changes.
    """
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    start_worker(plan)


class Processes:
    """Play on ``workers`` local processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def chunks(self, plan: Plan, worlds: Sequence[World], spans: Sequence[Span]) -> Iterator[Chunk]:
        """Play every span on the pool and yield the answers in order."""
        install(plan, worlds)  # inherited by forked workers, so their initializer has no work
        ctx = multiprocessing.get_context(start_method())
        pool = ProcessPoolExecutor(
            max(1, min(self.workers, len(spans))),
            mp_context=ctx,
            initializer=start_orphan_safe_worker,
            initargs=(plan, os.getpid()),
        )
        try:
            yield from in_order(
                lambda span: pool.submit(play, plan.key, span, plan.seed), spans, self.workers * 4
            )
        finally:
            # On an error or Ctrl-C, drop the queued spans instead of playing them out.
            pool.shutdown(wait=True, cancel_futures=True)
