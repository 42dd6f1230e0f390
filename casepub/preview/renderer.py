"""A preview renderer's process (`python -m casepub.preview.renderer CASE OUT ROLE`; casepub/preview/worker.py
starts it): it renders the case into OUT for each request read on stdin, and answers on the stdout it was
started with. What a library prints goes to stderr, so it cannot mix with the answers."""
from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any


def render(folder: Path, out: Path, formats: tuple[str, ...], seconds: float) -> dict[str, Any]:
    """One render of the case, in a renderer, as the JSON of a Reply."""
    from casepub.check import bug
    from casepub.render import render_case

    try:
        result = render_case(folder, out, formats=formats, time_limit=seconds)
    except Exception as error:  # a bug in casepub: say so on the page, and go on with the next save
        return {"ok": False, "diagnostics": [bug(folder, error).to_json()]}
    return {"ok": result.ok, "diagnostics": [d.to_json() for d in result.diagnostics], "name": result.name,
            "title": result.title, "pages": result.pages, "seconds": result.seconds}


def main(argv: list[str]) -> int:
    """The renderer's loop: a request a line ({"formats": [...], "seconds": N}), a reply a line."""
    folder, out, role = Path(argv[0]), Path(argv[1]), argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    _warm_up(role)
    for line in sys.stdin:
        request = json.loads(line)
        reply = render(folder, out, tuple(request["formats"]), float(request["seconds"]))
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


def _warm_up(role: str) -> None:
    """Import now what the first render needs, so that it is as quick as the next ones."""
    import casepub.render

    if role == "pdf":
        import casepub.render.pdf  # noqa: F401  (WeasyPrint: about a second)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
