"""Worker processes for a build; a crashed worker costs only its own case.

Workers come from a forkserver that has imported WeasyPrint, pikepdf and
casepub's rendering once, so each starts ready; the same workers serve every
phase of a build, keeping their templates and profiles loaded. A worker is
replaced after MAX_TASKS jobs, which keeps memory flat over long builds. At
most one job per worker is in flight, so the jobs in progress are exactly those
running. If a worker dies (a segfault in a native library, the kernel's OOM
killer), the jobs that were running are tried once more alone, and fail if they
crash again.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

MAX_TASKS = 40
PRELOAD = ["casepub.issue.work", "casepub.render.pdf", "pikepdf"]

Task = tuple[Callable, object]   # (function, job): run as function(job) in a worker


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_early() -> None:
    """Start the forkserver now, so that it loads WeasyPrint while this process does other work.

    Its standard output and error are /dev/null: it outlives this process by as long as its imports
    take, and a caller reading our output through a pipe (CI, a shell's $(...)) would otherwise wait
    for it. Workers report through the pool, not on the terminal."""
    from multiprocessing import forkserver

    _context()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(null, 1)
        os.dup2(null, 2)
        forkserver.ensure_running()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [null]:
            os.close(fd)


def _executor(workers: int) -> ProcessPoolExecutor:
    start_early()  # a no-op when it runs already
    return ProcessPoolExecutor(workers, mp_context=_context(), max_tasks_per_child=MAX_TASKS)


class Workers:
    """A pool for one build, started when the first task comes, shut down at the end."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_) -> None:
        if self._executor is not None:
            self._executor.shutdown()

    def run(self, tasks: Sequence[Task], started: Callable[[int], None], done: Callable[[int, dict], None]) -> None:
        """Run each task; call started(i) when task i starts and done(i, result) when it ends."""
        if not tasks:
            return
        if self._executor is None:
            self._executor = _executor(self.workers)
        crashed = _drain(self._executor, tasks, list(range(len(tasks))), self.workers, started, done)
        if crashed:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        for index in crashed:  # alone, in a fresh worker: a crash now is the task's own
            with _executor(1) as alone:
                if _drain(alone, tasks, [index], 1, started, done):
                    done(index, {"status": "failed", "crashed": True, "seconds": 0, "diagnostics": []})


def run(function: Callable, jobs: Sequence, workers: int, started: Callable[[int], None],
        done: Callable[[int, dict], None]) -> None:
    """Run function(job) for each job in a pool of its own."""
    with Workers(workers) as pool:
        pool.run([(function, job) for job in jobs], started, done)


def _drain(executor, tasks: Sequence[Task], pending: list[int], workers: int, started, done) -> list[int]:
    running: dict[Future, int] = {}
    queue = list(pending)
    while queue or running:
        while queue and len(running) < workers:
            index = queue.pop(0)
            try:
                function, job = tasks[index]
                running[executor.submit(function, job)] = index
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
