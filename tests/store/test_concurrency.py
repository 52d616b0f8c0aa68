"""Eight processes writing overlapping evaluation keys: nothing lost, nothing duplicated."""

from __future__ import annotations

import multiprocessing
import queue

from sqlalchemy import create_engine, func, select

from agentic_env.store import KnowledgeStore
from agentic_env.store.models import Evaluation, Reward
from tests.store.workers import N_KEYS, REWARDS_PER_WORKER, key_for, write_overlapping

N_WORKERS = 8


def _run_workers(target: str) -> dict[int, dict[int, tuple[int, float | None]]]:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(N_WORKERS), ctx.Queue()
    procs = [
        ctx.Process(target=write_overlapping, args=(target, w, barrier, results))
        for w in range(N_WORKERS)
    ]
    for proc in procs:
        proc.start()
    seen = {}
    try:
        for _ in procs:
            worker, by_key = results.get(timeout=180)
            seen[worker] = by_key
    except queue.Empty:
        pass
    for proc in procs:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
    assert [p.exitcode for p in procs] == [0] * N_WORKERS
    return seen


def _check(target: str, url: str) -> None:
    seen = _run_workers(target)  # the workers also race to create the new database
    assert len(seen) == N_WORKERS
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Evaluation)) == N_KEYS
        assert conn.scalar(select(func.count()).select_from(Reward)) == (
            N_WORKERS * REWARDS_PER_WORKER
        )
    engine.dispose()
    with KnowledgeStore.open(target) as store:
        for index in range(N_KEYS):
            stored = store.get_evaluation(key_for(index)[0])
            assert stored is not None
            answers = {seen[w][index] for w in range(N_WORKERS)}
            # every worker was handed the one stored row: the first writer's result
            assert answers == {(stored.id, stored.result.objective)}


def test_sqlite_many_writers(tmp_path) -> None:
    path = tmp_path / "shared.sqlite"
    _check(str(path), f"sqlite:///{path}")


def test_postgresql_many_writers(pg_url: str) -> None:
    _check(pg_url, pg_url)
