"""Progress for an issue build: a live bar on a terminal (rich), plain lines otherwise.

The bar shows cases done and failed and the ones in progress. With --quiet, or
when the output is not a terminal (CI logs, pipes), each finished case gets one
plain line instead, and --quiet drops even those.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import TaskID


class PlainProgress:
    def __init__(self, stream: TextIO = sys.stdout, quiet: bool = False):
        self.stream, self.quiet = stream, quiet
        self.total = self.count = self.failed = 0
        self.phase = ""

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def begin(self, phase: str, total: int) -> None:
        self.phase, self.total, self.count, self.failed = phase, total, 0, 0

    def started(self, name: str) -> None:
        pass

    def finished(self, name: str, ok: bool, detail: str = "") -> None:
        self.count += 1
        self.failed += not ok
        if not self.quiet:
            status = "ok" if ok else "FAILED"
            print(f"[{self.phase} {self.count}/{self.total}] {status} {name}{detail}", file=self.stream, flush=True)


class RichProgress(PlainProgress):
    def __init__(self) -> None:
        super().__init__()
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.fields[phase]:>9}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(),
                                 TextColumn("{task.fields[running]}"), transient=False)
        self.task: TaskID | None = None
        self.running: list[str] = []

    def __enter__(self) -> PlainProgress:
        self.progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.progress.stop()

    def begin(self, phase: str, total: int) -> None:
        super().begin(phase, total)
        self.running = []
        self.task = self.progress.add_task(phase, total=total, phase=phase, failed=0, running="")

    def started(self, name: str) -> None:
        self.running.append(name)
        self._refresh()

    def finished(self, name: str, ok: bool, detail: str = "") -> None:
        self.count += 1
        self.failed += not ok
        if name in self.running:
            self.running.remove(name)
        if self.task is not None:
            self.progress.advance(self.task)
        self._refresh()

    def _refresh(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, failed=self.failed, running=", ".join(self.running))


def make_progress(quiet: bool) -> PlainProgress:
    if not quiet and sys.stdout.isatty():
        return RichProgress()
    return PlainProgress(quiet=quiet)
