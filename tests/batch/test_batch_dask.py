"""The same batch on a local Dask cluster gives the same numbers as a local run."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from sim.batch.runs import Plan, RunResult, Serial, run_batch
from tests.batchworlds import TENSE, players, recipe, write_files
from tests.ui.test_cli_foundation import sitroom

distributed = pytest.importorskip("distributed")


def results(backend: object) -> list[tuple[RunResult, ...]]:
    seen: list[tuple[RunResult, ...]] = []
    r = recipe(TENSE, players())
    run_batch([r], 40, 9, backend=backend, on_run=seen.append)  # type: ignore[arg-type]
    return seen


def test_plan_survives_pickling() -> None:
    """What a remote worker receives rebuilds the same world."""
    plan = Plan((recipe(TENSE, players()),), 9)
    again = pickle.loads(pickle.dumps(plan))
    assert again.key == plan.key
    assert again.recipes[0].build().content_hash == plan.recipes[0].build().content_hash


def test_dask_local_cluster_equals_local_run() -> None:
    """Every run played on a two-worker Dask cluster matches the serial run exactly."""
    from sim.batch.dask_pool import DaskCluster

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        backend = DaskCluster(client)
        assert backend.workers == 2
        assert results(backend) == results(Serial())


def test_cli_dask_option_equals_a_local_run(tmp_path: Path) -> None:
    """`sitroom batch --dask ADDRESS` on a cluster reached over TCP matches local processes."""
    scenario = str(write_files(tmp_path))
    local = sitroom("batch", scenario, "-n", "16", "--workers", "2", "--json")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        remote = sitroom(
            "batch", scenario, "-n", "16", "--dask", cluster.scheduler_address, "--json"
        )
    assert remote.returncode == 0, remote.stderr
    a, b = json.loads(local.stdout), json.loads(remote.stdout)
    for data in (a, b):
        del data["wall_seconds"], data["workers"]
    assert a == b
