"""The preview server: the listening socket, uvicorn, the signals that stop it, the order things stop in."""
from __future__ import annotations

import asyncio
import contextlib
import errno
import signal
import socket
import sys
import tempfile
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from casepub.preview.app import application, server_settings
from casepub.preview.session import Session
from casepub.write import OutputError, ensure_folder, remove_temporaries

HOST = "127.0.0.1"
DEFAULT_PORT = 8000  # when no port is given; another free one when it is taken
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def serve(case: Path | str, port: int | None = None, open_browser: bool = False, out: Path | None = None) -> int:
    """Preview the case in `case` until Ctrl-C or SIGTERM; the exit code (0; 1 when `out` cannot be written; 2
    when the case is not a folder or the port cannot be used). `port`: None for 8000 (or a free one when 8000
    is taken), 0 for a free one. `out`: the output folder (kept at the end); None for a temporary one (removed)."""
    folder = Path(case).absolute()
    if not folder.is_dir():
        print(f"casepub preview: {case} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        if out is not None:
            ensure_folder(out)
    except OutputError as error:
        print(f"casepub preview: {error.message}\n  hint: {error.hint}", file=sys.stderr)
        return EXIT_FAILED
    try:
        listener = _listen(port)
    except OSError as error:
        print(f"casepub preview: cannot listen on {HOST}:{port}: {error.strerror or error}; "
              "choose another port with --port N (0: any free port)", file=sys.stderr)
        return EXIT_USAGE
    with listener, _output(out) as folder_out, _stop_signals() as stopping:
        asyncio.run(_run(folder, folder_out.absolute(), listener, open_browser, stopping))
    return EXIT_OK


def _listen(port: int | None) -> socket.socket:
    """A listening socket on 127.0.0.1 (bound here, so the URL printed is already served)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, DEFAULT_PORT if port is None else port))
        except OSError as error:
            if port is not None or error.errno != errno.EADDRINUSE:
                raise
            listener.bind((HOST, 0))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


@contextlib.contextmanager
def _output(out: Path | None) -> Iterator[Path]:
    if out is not None:
        yield out
        with contextlib.suppress(OutputError):
            remove_temporaries(out)  # of a render stopped halfway
        return
    with tempfile.TemporaryDirectory(prefix="casepub-preview-") as temporary:
        yield Path(temporary)


class _Stopping:
    """A stop asked for by SIGINT or SIGTERM, before the server runs, while it does, or after."""

    def __init__(self) -> None:
        self.asked = False
        self.server: Server | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True
        if self.server is not None:  # only while the server's loop runs (see _run)
            self.server.handle_exit(signum, frame)


@contextlib.contextmanager
def _stop_signals() -> Iterator[_Stopping]:
    """SIGINT and SIGTERM ask the server to stop, whenever they come; uvicorn raises the signal it caught
    again when it has stopped, which then only asks again (no KeyboardInterrupt, no death by SIGTERM before
    the renderers are stopped and the temporary folder is removed)."""
    stopping = _Stopping()
    previous = {signum: signal.signal(signum, stopping) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopping
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Server(uvicorn.Server):
    """uvicorn's server that ends the pages' event streams as it starts to stop (else it would wait for them)."""

    def __init__(self, config: uvicorn.Config, session: Session) -> None:
        super().__init__(config)
        self.session = session
        self.loop = asyncio.get_running_loop()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self.loop.call_soon_threadsafe(self.session.end_streams)


async def _run(folder: Path, out: Path, listener: socket.socket, open_browser: bool, stopping: _Stopping) -> None:
    session = Session(folder, out)
    settings: dict[str, Any] = server_settings()
    server = Server(uvicorn.Config(application(session), **settings), session)
    stopping.server = server
    server.should_exit = stopping.asked
    url = f"http://{HOST}:{listener.getsockname()[1]}/"
    try:
        await session.start()
        print(f"casepub preview: {url}  ({folder.name}; Ctrl-C to stop)", flush=True)
        if open_browser:
            asyncio.get_running_loop().run_in_executor(None, webbrowser.open, url)
        await server.serve(sockets=[listener])
    finally:
        stopping.server = None
        await session.close()
