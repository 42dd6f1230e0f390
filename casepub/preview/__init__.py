"""`casepub preview CASE`: the article in the browser, as it will be published, updated at each save.

A local server (uvicorn + Starlette, bound to 127.0.0.1 only) serves the case's outputs from a private output
folder (a temporary one unless given, removed at the end). The case folder is watched (watchfiles); each save
re-renders the HTML in a renderer process and the open page swaps in the new article, then the PDF is
re-rendered in another renderer and the page links to it with its page count. While the case has errors the
page shows them, located and linked to their line, over the last good article. See docs/preview.md.

    serve(case, port, open_browser, out) -> exit code    casepub/preview/server.py
    Session: the renders, the watch, the status         casepub/preview/session.py
    the renderer processes                              casepub/preview/worker.py, renderer.py
    the watch                                           casepub/preview/watch.py
    the web application and the server's limits         casepub/preview/app.py
    the page's script; the page before any rendering    templates/base/preview-client.js.j2, preview-waiting.html.j2

Ctrl-C (SIGINT) or SIGTERM stops it: the pages' event streams end, the server closes its connections, the
renderers exit (or are killed), the temporary folder is removed, and serve returns 0.
"""
from __future__ import annotations

from pathlib import Path


def serve(case: Path | str, port: int | None = None, open_browser: bool = False, out: Path | None = None) -> int:
    """Preview the case in `case` until Ctrl-C or SIGTERM; the exit code (0; 1 when `out` cannot be written; 2
    when the case is not a folder or the port cannot be used). `port`: None for 8000 (or a free one when 8000
    is taken), 0 for a free one. `out`: the output folder (kept at the end); None for a temporary one (removed)."""
    from casepub.preview import server  # uvicorn and Starlette: only when a preview runs (not in its renderers)

    return server.serve(case, port, open_browser, out)
