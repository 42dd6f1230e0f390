"""Watching the case folder (watchfiles): every batch of saves is one call of `changed`.

A save is usually several events (truncate, write, close; or a temporary file renamed over case.md): watchfiles
groups the events until none has come for STEP ms (at most DEBOUNCE ms), so 50 saves in a second are one or two
batches. Editors' swap and backup files are ignored (watchfiles' DefaultFilter), and so is the output folder
when it is inside the case folder (the renders would otherwise trigger themselves).

A case folder deleted (or replaced: `git checkout`, rsync) cannot be watched any longer: the watch then turns to
its parent folder, not recursively, until the case folder is back, and starts again on the new folder.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

STEP = 30           # ms without a new event that end a batch: the save's own events arrive within it
DEBOUNCE = 1600     # ms: the longest batch, when saves never stop
MISSING_POLL = 1.0  # seconds between looks for a case folder whose parent folder is missing too


class CaseFilter(DefaultFilter):
    """The files of the case: not an editor's temporary files, not the preview's own outputs."""

    def __init__(self, folder: Path, out: Path) -> None:
        super().__init__()
        self.out = str(out)

    def __call__(self, change: Change, path: str) -> bool:
        return super().__call__(change, path) and not (path == self.out or path.startswith(self.out + os.sep))


async def watch(folder: Path, out: Path, changed: Callable[[], None], stop: asyncio.Event) -> None:
    """Call `changed` after each batch of changes in `folder` (and when it disappears or comes back), until
    `stop` is set."""
    while not stop.is_set():
        if folder.is_dir():
            await _watch_case(folder, out, changed, stop)
        else:
            await _wait_for_case(folder, stop)
        changed()


async def _watch_case(folder: Path, out: Path, changed: Callable[[], None], stop: asyncio.Event) -> None:
    """Until the folder is gone or replaced by another one of the same name."""
    try:
        identity = _identity(folder)
        async for _ in awatch(folder, watch_filter=CaseFilter(folder, out), debounce=DEBOUNCE, step=STEP,
                              stop_event=stop, ignore_permission_denied=True):
            if _identity(folder) != identity:
                return
            changed()
    except (FileNotFoundError, NotADirectoryError):  # deleted as the watch started
        return


async def _wait_for_case(folder: Path, stop: asyncio.Event) -> None:
    """Until the folder exists again: its parent watched (a look every second in case an event is missed)."""
    while not stop.is_set() and not folder.is_dir():
        if not folder.parent.is_dir():
            await _sleep(MISSING_POLL, stop)
            continue
        try:
            async for _ in awatch(folder.parent, watch_filter=lambda change, path: Path(path) == folder,
                                  recursive=False, rust_timeout=int(MISSING_POLL * 1000), yield_on_timeout=True,
                                  stop_event=stop, step=STEP, ignore_permission_denied=True):
                if folder.is_dir():
                    return
        except (FileNotFoundError, NotADirectoryError):
            continue


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino
