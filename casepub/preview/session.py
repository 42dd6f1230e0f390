"""A preview session: the renders that follow the saves, and the status the open pages are sent.

    save ──watch──▶ html_loop: the HTML renderer (check, panels, index.html) ──▶ status: the page swaps in
                               the new article, or shows the diagnostics over the last good one
                    pdf_loop:  the PDF renderer, after each good HTML ──▶ status: the PDF link and its pages

Renders coalesce. A save after a quiet spell renders at once (the page changes within a tenth of a second); a
save during a render or soon after it (within BURST seconds of its end) is part of a burst of saves (a script, a
copy, an editor's autosave), and the next render waits until the saves have stopped for QUIET seconds: 50 saves
in a second make two renders, the first save's and the last's. The PDF renderer always renders the newest case
(a PDF asked for while one is being made waits, and only the last request is kept).

The status is one small immutable value, replaced as a whole: pages wait for a newer version than the one they
have; no queue per page, nothing kept per render.
"""
from __future__ import annotations

import asyncio
import dataclasses
import os
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casepub.preview.watch import watch
from casepub.preview.worker import HTML_SECONDS, PDF_SECONDS, Renderer, Reply

BURST = 0.25   # seconds: a save this soon after a render ended is part of a burst ...
QUIET = 0.12   # ... whose next render waits until no save has come for this long (watchfiles reports repeated
               #     saves of one file every two of its steps, 60 ms: more than that is a pause)


@dataclass(frozen=True)
class PdfStatus:
    state: str = "none"          # none (no good rendering yet), rendering, ready, failed
    href: str = ""               # /<case>.pdf?v=<article>, the link to the newest PDF made
    pages: int | None = None
    message: str = ""            # why the newest PDF could not be made


@dataclass(frozen=True)
class Status:
    """What the page shows; sent to it as JSON (Server-Sent Events) whenever it changes."""
    version: int = 0
    state: str = "rendering"     # rendering, ok, errors (the diagnostics over the last good article), missing
    article: int = 0             # which good rendering index.html holds (0: none yet)
    title: str = ""
    case: str = ""               # the case folder, as the page names it
    diagnostics: tuple[dict[str, Any], ...] = ()
    renders: int = 0             # HTML renders so far (the benchmark counts them)
    pdf: PdfStatus = field(default_factory=PdfStatus)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Session:
    """The renderers, the watch and the status of one previewed case."""

    def __init__(self, folder: Path, out: Path) -> None:
        self.folder, self.out = folder, out
        self.target = out / folder.resolve().name  # where the renders write (render_case: the folder's real name),
                                                   # and the only folder the server serves
        self.html = Renderer(folder, out, "html", ("html",), HTML_SECONDS)
        self.pdf = Renderer(folder, out, "pdf", ("pdf",), PDF_SECONDS)
        self.status = Status(case=str(folder))
        self.stop = asyncio.Event()          # the server is stopping
        self._changed = asyncio.Event()      # set (and replaced) when the status changes
        self._dirty = asyncio.Event()        # the case changed since the last HTML render began
        self._pdf_wanted = asyncio.Event()
        self._first_change = self._last_change = 0.0  # time.monotonic() of the first and last change not rendered
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await asyncio.gather(self.html.start(), self.pdf.start())
        self._dirty.set()
        self._tasks = [asyncio.create_task(coroutine) for coroutine in (
            self._html_loop(), self._pdf_loop(), watch(self.folder, self.out, self._changed_now, self.stop))]

    async def close(self) -> None:
        """Stop the watch and the loops, then the renderers (their processes exit, or are killed)."""
        self.end_streams()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(self.html.stop(), self.pdf.stop())

    def end_streams(self) -> None:
        """The server is stopping: the pages' event streams end (they would keep its connections open)."""
        self.stop.set()
        self._changed.set()

    async def next_status(self, seen: int) -> Status | None:
        """The status once its version is not `seen`; None when the server is stopping."""
        while self.status.version == seen and not self.stop.is_set():
            await self._changed.wait()
        return None if self.stop.is_set() else self.status

    def _publish(self, **changes: Any) -> None:
        self.status = dataclasses.replace(self.status, version=self.status.version + 1, **changes)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _changed_now(self) -> None:
        self._last_change = time.monotonic()
        if not self._dirty.is_set():
            self._first_change = self._last_change
            self._dirty.set()

    async def _html_loop(self) -> None:
        ended = -float("inf")  # when the last render ended
        while True:
            await self._dirty.wait()
            if self._first_change - ended < BURST:
                while (quiet := time.monotonic() - self._last_change) < QUIET:
                    await asyncio.sleep(QUIET - quiet)
            self._dirty.clear()
            if not self.folder.is_dir():
                self._publish(state="missing", diagnostics=())
                continue
            self._publish(state="rendering")
            reply = await self.html.render()
            ended = time.monotonic()
            self._html_done(reply)

    def _html_done(self, reply: Reply) -> None:
        diagnostics = tuple(self._shown(d) for d in reply.diagnostics)
        renders = self.status.renders + 1
        if not reply.ok:
            self._publish(state="missing" if not self.folder.is_dir() else "errors", diagnostics=diagnostics,
                          renders=renders)
            return
        self._publish(state="ok", article=self.status.article + 1, title=reply.title, diagnostics=diagnostics,
                      renders=renders)
        self._pdf_wanted.set()

    async def _pdf_loop(self) -> None:
        while True:
            await self._pdf_wanted.wait()
            self._pdf_wanted.clear()
            article = self.status.article
            self._publish(pdf=dataclasses.replace(self.status.pdf, state="rendering"))
            reply = await self.pdf.render()
            self._publish(pdf=self._pdf_status(reply, article))

    def _pdf_status(self, reply: Reply, article: int) -> PdfStatus:
        previous = self.status.pdf
        if reply.ok:
            return PdfStatus("ready", f"/{urllib.parse.quote(reply.name)}.pdf?v={article}", reply.pages)
        failures = [d for d in reply.errors if d["code"] in ("CP100", "CP102", "CP103", "CP998", "CP999")]
        if failures:
            return PdfStatus("failed", previous.href, previous.pages, failures[0]["message"])
        # the case has errors again (saved after its HTML): the last PDF stays, the overlay says why
        return dataclasses.replace(previous, state="ready" if previous.href else "none")

    def _shown(self, diagnostic: dict[str, Any]) -> dict[str, Any]:
        """A diagnostic as the page shows it: its place relative to the case's parent folder, and a link that
        opens the line in VS Code."""
        path = Path(diagnostic["file"])
        where = os.path.relpath(path, self.folder.parent) if path.is_absolute() else str(path)
        line, column = diagnostic["line"], diagnostic["column"]
        href = f"vscode://file{urllib.parse.quote(str(path.absolute()))}:{line}:{column}"
        return {key: diagnostic[key] for key in ("code", "severity", "message", "hint")} | {
            "where": f"{where}:{line}:{column}", "href": href}
