"""Worker processes for a build; a crashed or hung worker costs only its own case.

Workers come from a forkserver that has imported WeasyPrint, pikepdf and
casepub's rendering once, so each starts ready; the same workers serve every
phase of a build, keeping their templates and profiles loaded. A worker is
replaced after MAX_TASKS jobs, which keeps memory flat over long builds. At
most one job per worker is in flight, so the jobs in progress are exactly those
running.

When a job runs longer than the time limit, the workers are stopped, that job
fails, and the others go on in fresh workers. When a worker dies (a segfault in
a native library, the kernel's OOM killer), the jobs that were running are tried
once more alone, and fail if they crash again.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal

from casepub.issue.results import JobFailure
from casepub.limits import ISSUE_SECONDS

MAX_TASKS = 40
TIMEOUT = ISSUE_SECONDS  # seconds one job may take
PRELOAD = ["casepub.issue.work", "casepub.render.pdf", "pikepdf"]

Task = tuple[Callable[[Any], Any], object]   # (function, job): run as function(job) in a worker
Done = Callable[[int, Any], None]            # done(index, the job's result or a JobFailure)


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


def _executor(workers: int, forked: bool = False) -> ProcessPoolExecutor:
    """Workers from the forkserver; or, `forked` (for light work such as checking, on Linux), forked from this
    process, which has what they need imported already, so that they start in milliseconds."""
    if forked and sys.platform.startswith("linux"):
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    start_early()  # a no-op when it runs already
    return ProcessPoolExecutor(workers, mp_context=_context(), max_tasks_per_child=MAX_TASKS)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now, running jobs included (ProcessPoolExecutor has no public way to)."""
    for process in list(getattr(executor, "_processes", {}).values()):
        process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class _Interrupted:
    unfinished: list[int]       # jobs that did not finish, the culprits excepted
    overdue: list[int]          # jobs over the time limit (empty: a worker crashed, culprit unknown)


class Workers:
    """A pool for one build, started when the first task comes, shut down at the end."""

    def __init__(self, workers: int, timeout: float = TIMEOUT, *, forked: bool = False):
        self.workers = max(1, workers)
        self.timeout = timeout
        self.forked = forked
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self._executor is not None:
            self._executor.shutdown()

    def run(self, tasks: Sequence[Task], started: Callable[[int], None], done: Done) -> None:
        """Run each task; call started(i) when task i starts and done(i, result) when it ends."""
        queue = list(range(len(tasks)))
        while queue:
            if self._executor is None:
                self._executor = _executor(self.workers, self.forked)
            interrupted = _drain(self._executor, tasks, queue, workers=self.workers, timeout=self.timeout,
                                 started=started, done=done)
            if interrupted is None:
                return
            _stop(self._executor)
            self._executor = None
            for index in interrupted.overdue:
                done(index, JobFailure("timed_out", f"it took longer than {self.timeout:g} s"))
            if interrupted.overdue:
                queue = interrupted.unfinished  # they were stopped with the culprit: run them again
                continue
            for index in interrupted.unfinished:  # a crash, culprit unknown: each alone in a fresh worker
                with _executor(1, self.forked) as alone:
                    again = _drain(alone, tasks, [index], workers=1, timeout=self.timeout, started=started, done=done)
                    if again is not None:
                        _stop(alone)
                        reason: Literal["crashed", "timed_out"] = "timed_out" if again.overdue else "crashed"
                        done(index, JobFailure(reason, "the renderer crashed" if reason == "crashed" else
                                             f"it took longer than {self.timeout:g} s"))
            return


def run(function: Callable[[Any], Any], jobs: Sequence[object], *, workers: int, started: Callable[[int], None],
        done: Done, timeout: float = TIMEOUT, forked: bool = False) -> None:
    """Run function(job) for each job in a pool of its own."""
    with Workers(workers, timeout, forked=forked) as pool:
        pool.run([(function, job) for job in jobs], started, done)


def _drain(executor: ProcessPoolExecutor, tasks: Sequence[Task], pending: list[int], *, workers: int, timeout: float,
           started: Callable[[int], None], done: Done) -> _Interrupted | None:
    running: dict[Future[Any], tuple[int, float]] = {}
    queue = list(pending)
    while queue or running:
        while queue and len(running) < workers:
            index = queue.pop(0)
            try:
                function, job = tasks[index]
                running[executor.submit(function, job)] = (index, time.monotonic())
            except BrokenProcessPool:
                return _Interrupted(sorted({i for i, _ in running.values()} | {index} | set(queue)), [])
            started(index)
        oldest = min(start for _, start in running.values())
        finished, _ = wait(running, timeout=max(0.0, oldest + timeout - time.monotonic()),
                           return_when=FIRST_COMPLETED)
        if not finished:
            overdue = [i for i, start in running.values() if time.monotonic() - start >= timeout]
            others = [i for i, _ in running.values() if i not in overdue]
            return _Interrupted(sorted(others + queue), overdue)
        for future in finished:
            index, _ = running.pop(future)
            try:
                done(index, future.result())
            except BrokenProcessPool:
                return _Interrupted(sorted({i for i, _ in running.values()} | {index} | set(queue)), [])
    return None
