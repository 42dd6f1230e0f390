"""The preview's renderers: child processes that render the case when the server asks, one request at a time.

Each is `python -m casepub.preview.renderer CASE OUT ROLE` (casepub/preview/renderer.py), reading one JSON
request a line on stdin and answering one JSON line (a `Reply`). A process, not a thread, because:

- the time limits (casepub/limits.py) are SIGALRM timers, which only a main thread has;
- WeasyPrint holds the GIL for most of a PDF: in a thread it would slow the server and the HTML renders;
- a renderer that crashes or hangs is killed and started again; the server and the page go on;
- what the renderers keep between renders (Jinja2 environments, profiles, fonts) is theirs: the server's memory
  stays flat, and each renderer is started afresh after RECYCLE_AFTER renders.

The HTML renderer and the PDF renderer are two processes, so a new HTML never waits for a PDF. They write into
the same output folder; every write is atomic (casepub/write.py) and the panels are named by their content.
Ctrl-C in the terminal reaches the server only (the renderers ignore SIGINT, and are in their own session):
the server ends them (SIGTERM), and a renderer whose server has died ends when its stdin closes.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepub.diagnostics import Diagnostic, Location
from casepub.load.case import CASE_FILE

HTML_SECONDS = 30.0     # the time limit of an HTML render (check, panels, page)
PDF_SECONDS = 120.0     # of a PDF render (casepub.limits.RENDER_SECONDS)
BACKSTOP = 15.0         # seconds past its time limit after which a renderer is taken to hang, and killed
RECYCLE_AFTER = 100     # renders, after which a renderer is replaced (what a library caches cannot grow for ever)
STOP_SECONDS = 3.0      # how long a renderer may take to exit when asked, before it is killed
LINE_LIMIT = 64 * 1024 * 1024  # bytes in one reply (a case with every rule broken has many diagnostics)


@dataclass(frozen=True)
class Reply:
    """What a render produced: `ok` when its outputs were written; the diagnostics as JSON (absolute paths)."""
    ok: bool
    diagnostics: tuple[dict[str, Any], ...]
    name: str = ""
    title: str = ""
    pages: int | None = None
    seconds: float = 0.0

    @property
    def errors(self) -> tuple[dict[str, Any], ...]:
        return tuple(d for d in self.diagnostics if d["severity"] == "error")


class Renderer:
    """The server's handle on one renderer process: start it, ask it for a render, stop it."""

    def __init__(self, folder: Path, out: Path, role: str, formats: tuple[str, ...], seconds: float) -> None:
        self.folder, self.out, self.role, self.formats, self.seconds = folder, out, role, formats, seconds
        self.process: asyncio.subprocess.Process | None = None
        self.renders = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "casepub.preview.renderer", str(self.folder), str(self.out), self.role,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
            start_new_session=True)
        self.renders = 0

    async def render(self) -> Reply:
        """A render of the case as it is on disk now; a CP998 reply when the renderer crashed or hung (it is
        started again for the next one)."""
        if self.process is None or self.process.returncode is not None or self.renders >= RECYCLE_AFTER:
            await self.stop()
            await self.start()
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.renders += 1
        try:
            self.process.stdin.write(json.dumps({"formats": self.formats, "seconds": self.seconds}).encode() + b"\n")
            await self.process.stdin.drain()
            line = await asyncio.wait_for(self.process.stdout.readline(), self.seconds + BACKSTOP)
        except (TimeoutError, ConnectionError, BrokenPipeError):
            line = b""
        try:
            data = json.loads(line) if line else None
        except ValueError:  # not a reply: something wrote to the renderer's replies
            data = None
        if data is None:
            await self.stop()
            return self._failed()
        return Reply(data["ok"], tuple(data["diagnostics"]), data.get("name", ""), data.get("title", ""),
                     data.get("pages"), data.get("seconds", 0.0))

    def _failed(self) -> Reply:
        hung = f"did not answer within {self.seconds + BACKSTOP:g} s"
        diagnostic = Diagnostic("CP998", f"the preview's {self.role.upper()} renderer crashed or {hung}",
                                Location(self.folder / CASE_FILE),
                                "it was started again and renders at the next save; if it happens again, report "
                                "this case to the casepub developers")
        return Reply(False, (diagnostic.to_json(),))

    async def stop(self) -> None:
        """End the renderer (SIGTERM: its writes are atomic, so a render stopped halfway leaves the outputs as
        they were), and kill it when it has not ended within STOP_SECONDS."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

