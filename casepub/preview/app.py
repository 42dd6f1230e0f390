"""The preview's web application (Starlette) and the uvicorn settings it runs with.

    /                       the article (out/<case>/index.html) with the preview's script added to its head;
                            before the first good rendering, a page that shows the diagnostics alone
    /<file>                 the case's other outputs: figures/..., <case>.pdf, care-checklist.html
    /_preview/events        the status, as Server-Sent Events (one message each time it changes)
    /_preview/client.js     the script: swaps in the new article, draws the diagnostics and the PDF link

Only files inside out/<case>/ are served: a path with an empty, "." or ".." part, a hidden name (the
renders' temporary files), a backslash, or one that resolves (symlinks followed) outside the folder is a 404.
Requests must name the server as 127.0.0.1 or localhost (Host header): a web page that rebinds its own
domain name to 127.0.0.1 cannot read the case.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from casepub.preview.session import Session
from casepub.render.html import environment
from casepub.resources import TEMPLATES

CLIENT = TEMPLATES / "base" / "preview-client.js.j2"     # served as it is (named .j2 only to be packaged)
HOSTS = ["127.0.0.1", "localhost"]
NO_STORE = {"Cache-Control": "no-store"}
HEAD_SECONDS = 10        # a client must send a whole request head within this, from connecting or its last response
MAX_HEAD = 64 * 1024     # bytes of a request head (h11's limit; larger: 431 ... the connection is closed)


def application(session: Session) -> Starlette:
    """The app serving one session's case."""
    async def article(request: Request) -> Response:
        return _article_page(session)

    async def output(request: Request) -> Response:
        found = output_file(session.target, request.path_params["path"])
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(found, headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    async def client(request: Request) -> Response:
        return Response(CLIENT.read_text(encoding="utf-8"), media_type="text/javascript", headers=NO_STORE)

    async def events(request: Request) -> Response:
        return StreamingResponse(_events(session), media_type="text/event-stream", headers=NO_STORE)

    routes = [Route("/", article, methods=["GET", "HEAD"]), Route("/index.html", article, methods=["GET", "HEAD"]),
              Route("/_preview/client.js", client), Route("/_preview/events", events),
              Route("/{path:path}", output, methods=["GET", "HEAD"])]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=HOSTS)])


def _article_page(session: Session) -> Response:
    """The newest good article with the script in its head, or the page that waits for one."""
    article = session.status.article
    script = f'<script src="/_preview/client.js" data-article="{article}" defer></script>'
    try:
        page = (session.target / "index.html").read_text(encoding="utf-8") if article else None
    except OSError:
        page = None
    if page is None:
        article = 0
        page = environment("base").get_template("preview-waiting.html.j2").render(case=session.folder.name)
    at = page.find("</head>")
    page = page[:at] + script + page[at:] if at >= 0 else script + page
    return HTMLResponse(page, headers=NO_STORE | {"X-Casepub-Article": str(article)})


async def _events(session: Session) -> AsyncIterator[str]:
    """The status now, then each new one, until the page goes or the server stops."""
    yield "retry: 1000\n\n"
    seen = -1
    while (status := await session.next_status(seen)) is not None:
        seen = status.version
        yield f"data: {json.dumps(status.to_json())}\n\n"


def output_file(root: Path, requested: str) -> Path | None:
    """The file `requested` (a URL path, decoded, without its leading "/") names inside `root`; None when it
    is not one (missing, a folder, or a name outside `root` however it is spelt)."""
    parts = requested.split("/")
    if not requested or "\\" in requested or "\0" in requested or any(
            part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    try:
        found = (root / requested).resolve(strict=True)
        inside = found.is_relative_to(root.resolve(strict=True))
    except (OSError, RuntimeError):  # missing, a symlink loop
        return None
    return found if inside and found.is_file() else None


class Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a deadline for each request head: a client that has not sent a whole
    one HEAD_SECONDS after it connected (or after its last response) is disconnected. uvicorn itself waits for
    ever for a client that sends a byte now and then; each would hold a connection (limit_concurrency)."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(HEAD_SECONDS, self._expired)

    def _expired(self) -> None:
        if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
            self.transport.close()


def server_settings() -> dict[str, object]:
    """uvicorn's limits for the preview (keyword arguments of uvicorn.Config)."""
    return {"http": Protocol, "ws": "none", "lifespan": "off", "loop": "asyncio", "log_level": "warning",
            "access_log": False, "server_header": False, "proxy_headers": False,
            "limit_concurrency": 100,           # connections and requests at once; more get a 503
            "backlog": 128, "timeout_keep_alive": 5, "timeout_graceful_shutdown": 3,
            "h11_max_incomplete_event_size": MAX_HEAD}
