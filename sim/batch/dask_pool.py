"""Batch runs on an existing Dask cluster (the optional ``sitroom[dask]`` extra).

Dask does the distribution; this module only ships the plan once per worker and keeps the same
in-order window as the local pool, so a cluster run reproduces a local run number for number.
Workers need sitroom installed (the same version) to unpickle the plan and play.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from typing import Any

from sim.authoring.problems import UserError
from sim.batch.pool import in_order
from sim.batch.runs import Chunk, Plan, Span, play
from sim.engine.world import World


def connect(address: str, timeout: float = 20) -> Any:
    """A ``distributed.Client`` for a scheduler address (``tcp://host:8786``).

    Raises :class:`UserError` when dask is not installed or the scheduler cannot be reached.
    """
    # An optional extra: imported by name so type checking works with or without it installed.
    try:
        distributed = importlib.import_module("distributed")
    except ImportError:
        raise UserError("--dask needs dask.distributed: pip install 'sitroom[dask]'") from None
    try:
        return distributed.Client(address, timeout=timeout)
    except (OSError, ValueError) as exc:  # unreachable (OSError/TimeoutError), malformed address
        raise UserError(f"cannot use the Dask scheduler at {address}: {exc}") from None


class DaskCluster:
    """Play on the workers of a ``distributed.Client``; the caller owns (and closes) the client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))

    def chunks(self, plan: Plan, worlds: Sequence[World], spans: Sequence[Span]) -> Iterator[Chunk]:
        """Play every span on the cluster and yield the answers in order."""
        # One copy of the plan per worker; tasks refer to it, and `play` builds the worlds once
        # per worker process (sim.batch.install caches them by the plan's key).
        shared = self.client.scatter(plan, broadcast=True, hash=False)
        yield from in_order(
            lambda span: self.client.submit(play, shared, span, pure=False), spans, self.workers * 4
        )
