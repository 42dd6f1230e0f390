"""Time limits: no case may keep casepub busy for ever, whatever its text makes a rule or a library do.

`time_limit(seconds)` raises OutOfTime in the block when it runs longer, by a
SIGALRM timer: Python code is interrupted between bytecodes and `re` checks for
signals as it matches, so a pathological pattern or a runaway layout stops. A C
call that does not return to Python (a pixel decode) ends first. Limits nest:
an inner limit never extends an outer one. Only the main thread has signals;
elsewhere the block runs without a limit (issue builds also stop a worker
process that overruns its --timeout).

OutOfTime is a BaseException, like KeyboardInterrupt, so that the `except
Exception` of a library does not swallow it; casepub catches it where a case's
work starts and turns it into a CP103 diagnostic naming the step that ran over.
"""
from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

CHECK_SECONDS = 5.0      # checking one case (reading, validating, every rule)
RENDER_SECONDS = 120.0   # rendering one case: the check, its panels, the HTML and the PDF
ISSUE_SECONDS = 300.0    # one article of an issue build, in its worker process (which is stopped after it)


class OutOfTime(BaseException):
    """The time limit of `seconds` ran out; `step` says what was running ("rule deid-phone (CP073)")."""

    def __init__(self, seconds: float, step: str = "") -> None:
        super().__init__(f"out of time after {seconds:g} s" + (f" in {step}" if step else ""))
        self.seconds = seconds
        self.step = step

    def during(self, step: str) -> OutOfTime:
        """The same stop, with the step it happened in (the innermost step named wins)."""
        return self if self.step else OutOfTime(self.seconds, step)


_deadlines: list[tuple[float, float]] = []  # (deadline on the monotonic clock, seconds allowed), outermost first
REPEAT = 0.05  # seconds: after its deadline the timer fires again until the block has ended


_reporting = False  # an unraisable exception is being reported: the timer waits for its next firing


def _expired(signum: int, frame: FrameType | None) -> None:
    """Stop the block. Python ignores an exception raised in a garbage-collector callback or a __del__
    ("Exception ignored in ..."), so the timer repeats: the next firing stops the block then."""
    if _deadlines and not _reporting and time.monotonic() >= min(_deadlines)[0]:
        raise OutOfTime(min(_deadlines)[1])


def _unraisable_hook(previous: Callable[[sys.UnraisableHookArgs], object]) -> Callable[[sys.UnraisableHookArgs], None]:
    """sys.unraisablehook while a limit holds. OutOfTime raised in a __del__ or a garbage-collector callback
    is dropped without a word (the repeating timer stops the block next time); anything else is reported by
    the hook before, which the timer does not interrupt (a test runner's hook formats a traceback)."""
    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        global _reporting
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, OutOfTime):
            return
        _reporting = True
        try:
            previous(unraisable)
        finally:
            _reporting = False
    return hook


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Run the block with at most `seconds` (None or 0: no limit of its own; an outer one still holds)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = time.monotonic() + seconds
    outermost = not _deadlines
    previous = signal.signal(signal.SIGALRM, _expired) if outermost else None
    previous_hook = sys.unraisablehook
    if outermost:
        sys.unraisablehook = _unraisable_hook(previous_hook)
    _deadlines.append((deadline, seconds))
    _arm()
    try:
        yield
    finally:
        _deadlines.pop()
        if _deadlines:
            _arm()
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
            sys.unraisablehook = previous_hook


def _arm() -> None:
    """Set the timer for the nearest deadline (at least a microsecond: zero would switch it off), repeating."""
    nearest = min(deadline for deadline, _ in _deadlines)
    signal.setitimer(signal.ITIMER_REAL, max(nearest - time.monotonic(), 1e-6), REPEAT)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Name the step a time limit may stop: OutOfTime raised in the block says it happened in `name`
    (unless a step inside named itself)."""
    try:
        yield
    except OutOfTime as stop:
        raise stop.during(name) from None
