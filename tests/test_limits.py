"""Time limits: a case that keeps casepub busy is stopped, reported where it stands, and the others go on."""
from __future__ import annotations

import re
import signal
import sys
import threading
import time

import pytest

from casepub import check_case
from casepub.__main__ import main
from casepub.limits import OutOfTime, time_limit
from conftest import edit

# A stop raised while Python runs a garbage-collector callback is ignored by Python (and reported as
# "Exception ignored"); the timer repeats and stops the block all the same: that report is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_block_over_its_limit_is_stopped_and_the_timer_is_put_away():
    started = time.monotonic()
    with pytest.raises(OutOfTime) as stop, time_limit(0.2):
        busy(30)
    assert stop.value.seconds == 0.2 and time.monotonic() - started < 10  # stopped, not run to its end
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    busy(0.3)  # no stray alarm afterwards


def test_a_block_within_its_limit_runs_and_leaves_no_timer():
    with time_limit(5):
        busy(0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_catastrophic_regular_expression_is_interrupted():
    """`re` checks for signals while it matches: a pattern that would backtrack for ages is stopped."""
    with pytest.raises(OutOfTime), time_limit(0.3):
        re.match(r"(a+)+$", "a" * 40 + "b")


def test_an_inner_limit_never_extends_an_outer_one():
    with pytest.raises(OutOfTime) as stop, time_limit(0.2), time_limit(60):
        busy(30)
    assert stop.value.seconds == 0.2


def test_an_inner_limit_that_ends_gives_the_outer_one_back():
    with pytest.raises(OutOfTime) as stop, time_limit(0.5):
        with time_limit(0.1):
            busy(0.01)
        busy(30)
    assert stop.value.seconds == 0.5


def test_other_threads_run_without_a_limit():
    done = []
    thread = threading.Thread(target=lambda: (time_limit(0.01).__enter__(), busy(0.1), done.append(True)))
    thread.start()
    thread.join()
    assert done == [True]


def test_a_case_over_its_time_limit_gets_a_located_diagnostic_and_the_others_are_checked(tmp_path, capsys):
    import shutil

    from conftest import REFERENCE

    slow, fine = tmp_path / "cases" / "a-slow", tmp_path / "cases" / "b-fine"
    shutil.copytree(REFERENCE, slow)
    shutil.copytree(REFERENCE, fine)
    paragraph = "Sagittal computed tomography (Figure E) showed a T12 vacuum cleft and a 4.5 mL cement leak. "
    edit(slow, "treatment, but the patient refused.", "treatment, but the patient refused.\n\n"
         + "\n\n".join([paragraph * 4] * 2000))  # about 750 kB of text: far more than 0.05 s of work
    checked = check_case(slow, time_limit=0.05)
    [stop] = [d for d in checked.diagnostics if d.code == "CP103"]
    assert stop.location.file == slow / "case.md"
    assert re.fullmatch(r"checking this case stopped at its time limit of 0\.05 s while "
                        r"(reading case\.md|reading the journal profile|the rule [a-z-]+ \(CP\d{3}\)) was running",
                        stop.message), stop.message
    assert main(["check", "--time-limit", "0.05", str(tmp_path / "cases")]) == 1
    out = capsys.readouterr().out
    assert out.count("CP103") == 1 and "a-slow/case.md:1:1: error CP103" in out
    assert out.strip().endswith("checked 2 cases: 1 error, 0 warnings")  # b-fine was checked, and is clean
    unlimited = check_case(slow, time_limit=0)  # no limit: the long case is checked to its end
    assert [d.code for d in unlimited.errors] == ["CP070"]  # over the word limit, and nothing else


def test_the_time_limit_option_takes_seconds(capsys):
    assert main(["check", "--time-limit", "soon", "."]) == 2
    assert "takes a number of seconds" in capsys.readouterr().err


def test_a_render_over_its_time_limit_keeps_the_previous_outputs(reference_copy, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(reference_copy), "-o", str(out), "--to", "pdf"]) == 0
    before = (out / "case" / "case.pdf").read_bytes()
    capsys.readouterr()
    assert main(["render", str(reference_copy), "-o", str(out), "--to", "pdf", "--time-limit", "0.02"]) == 1
    printed = capsys.readouterr().out
    assert re.search(r"case\.md:1:1: error CP103 (rendering|checking) this case stopped at its time limit of 0\.02 s "
                     r"while [A-Za-z ,]+ was running", printed), printed
    assert (out / "case" / "case.pdf").read_bytes() == before and not list(out.rglob("*.tmp"))


def test_a_stop_swallowed_by_a_garbage_collector_callback_is_repeated():
    """Python ignores an exception raised in a gc callback ("Exception ignored in ..."); the timer fires
    again, so the block is stopped all the same."""
    import gc

    def slow_callback(phase: str, info: dict) -> None:
        if phase == "start":
            busy(0.3)  # the deadline passes in here: the OutOfTime raised here is ignored by Python

    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(OutOfTime), time_limit(0.1):
            gc.collect()
            busy(30)
    finally:
        gc.callbacks.remove(slow_callback)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_stop_inside_a_finaliser_is_not_reported_and_the_block_still_stops(monkeypatch):
    """Python cannot raise from a __del__: OutOfTime there goes to sys.unraisablehook. It is dropped there
    (not printed, not a test runner's failure), and the repeating timer stops the block at its next firing;
    another exception's report (a runner formatting a traceback) is not cut short by the timer."""
    reported: list[str] = []

    def previous(unraisable) -> None:
        _busy(0.15)  # slower than the timer's repeat: the timer must not interrupt it
        reported.append(unraisable.exc_type.__name__)

    monkeypatch.setattr(sys, "unraisablehook", previous)

    class Slow:
        def __del__(self) -> None:
            _busy(0.2)  # the deadline passes in here

    class Broken:
        def __del__(self) -> None:
            raise ValueError("a library's finaliser fails")

    with pytest.raises(OutOfTime), time_limit(0.05):
        Slow()     # OutOfTime raised inside __del__: unraisable
        Broken()   # reported by `previous`, past the deadline, in full
        _busy(1.0)
    assert reported == ["ValueError"]
    assert sys.unraisablehook is previous
