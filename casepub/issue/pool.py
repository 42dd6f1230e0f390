"""Run jobs in worker processes; a crashed worker costs only its own case.

Workers come from a forkserver that has imported WeasyPrint, casepub's
templates and profiles once, so each starts ready. A worker is replaced after
MAX_TASKS jobs, which keeps memory flat over long builds. At most one job per
worker is in flight, so the jobs in progress are exactly those running. If a
worker dies (a segfault in a native library, the kernel's OOM killer), the
jobs that were running are tried once more alone, and fail if they crash again.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

MAX_TASKS = 40
PRELOAD = ["casepub.issue.work", "casepub.render.pdf", "pikepdf"]  # WeasyPrint, fonts, templates: once


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def run(function: Callable, jobs: Sequence, workers: int, started: Callable[[int], None],
        done: Callable[[int, dict], None]) -> None:
    """Run function(job) for each job; call started(i) when job i starts and done(i, result) when it ends."""
    pending = list(range(len(jobs)))
    crashed: list[int] = []
    with ProcessPoolExecutor(max(1, min(workers, len(jobs))), mp_context=_context(),
                             max_tasks_per_child=MAX_TASKS) as pool:
        crashed = _drain(pool, function, jobs, pending, workers, started, done)
    for index in crashed:  # alone, in a fresh worker: a crash now is the case's own
        with ProcessPoolExecutor(1, mp_context=_context()) as pool:
            if _drain(pool, function, jobs, [index], 1, started, done):
                done(index, _crash_result())


def _drain(pool, function, jobs, pending: list[int], workers: int, started, done) -> list[int]:
    running: dict[Future, int] = {}
    queue = list(pending)
    while queue or running:
        while queue and len(running) < workers:
            index = queue.pop(0)
            try:
                running[pool.submit(function, jobs[index])] = index
            except BrokenProcessPool:
                return sorted(set(running.values()) | {index} | set(queue))
            started(index)
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            index = running.pop(future)
            try:
                done(index, future.result())
            except BrokenProcessPool:
                return sorted(set(running.values()) | {index} | set(queue))
    return []


def _crash_result() -> dict:
    return {"status": "failed", "crashed": True, "seconds": 0, "diagnostics": []}
