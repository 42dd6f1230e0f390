"""The one way casepub opens a file named by a case: inside the case folder, or not at all.

A path written by an author is checked as text first (no absolute paths, no
`..`, no percent-escapes or URL schemes), then resolved through real paths so a
symlink cannot lead out, then opened without blocking and checked to be a
regular file before a byte is read (a FIFO would otherwise hang the build).
"""
from __future__ import annotations

import errno
import os
import re
import stat
from functools import lru_cache
from pathlib import Path, PurePosixPath

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*+:")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


class UnsafePath(Exception):
    """A path that casepub refuses to open, with the reason and how to fix it."""

    def __init__(self, reason: str, hint: str):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


_RELATIVE_HINT = "write the path relative to the case folder, e.g. figures/a.png"


def check_relative(text: str) -> PurePosixPath:
    """Refuse a path string that could point outside the folder, whatever the file system holds."""
    if not text.strip():
        raise UnsafePath("the path is empty", _RELATIVE_HINT)
    if "\x00" in text or "\\" in text:
        raise UnsafePath(f"the path {text!r} has a backslash or NUL character", "use forward slashes: figures/a.png")
    if text.startswith("/") or _SCHEME.match(text):
        raise UnsafePath(f"the path {text!r} is absolute or a URL", _RELATIVE_HINT)
    if _PERCENT.search(text):
        raise UnsafePath(f"the path {text!r} has percent-escapes", "write the file name as it is on disk, without %XX escapes")
    path = PurePosixPath(text)
    if ".." in path.parts:
        raise UnsafePath(f"the path {text!r} climbs out of the case folder with '..'", _RELATIVE_HINT)
    return path


def resolve_inside(folder: Path, text: str) -> Path:
    """The real path of `text` under `folder`, refusing anything that leads outside it."""
    relative = check_relative(text)
    # os.path rather than Path.resolve: the same realpath, without pathlib's parsing (it is on every image read)
    root = _real_folder(os.fspath(folder))
    target = os.path.realpath(os.path.join(root, relative))  # a symlink loop is left unresolved: open() says ELOOP
    if os.path.commonpath((root, target)) != root:
        raise UnsafePath(f"the path {text!r} is a link leading outside the case folder", "copy the file into the case folder")
    return Path(target)


@lru_cache(maxsize=256)
def _real_folder(folder: str) -> str:
    """A case folder's real path, once per process (a check reads every panel of a case from one folder).

    Should a link on the way to the folder change later, a stale answer can only refuse a file, never let one out:
    the file's own real path is taken afresh each time and must lie under it."""
    return os.path.realpath(folder)


def read_inside(folder: Path, text: str, max_bytes: int) -> bytes:
    """Read a regular file inside `folder`, at most `max_bytes` of it."""
    target = resolve_inside(folder, text)
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnsafePath(f"{text!r} does not exist", "check the file name and that the file is in the case folder") from None
    except IsADirectoryError:
        raise UnsafePath(f"{text!r} is a folder, not a file", "name a file inside the folder") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafePath(f"the path {text!r} is a symlink loop", "replace the link by the file itself") from None
        raise UnsafePath(f"{text!r} cannot be opened ({error.strerror})", "check the file's permissions") from None
    try:
        size = _check_regular(os.fstat(fd), text, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(size + 1)  # its size, not the limit: read(n) sets aside n bytes first
    finally:
        os.close(fd)
    if len(data) > size:  # it grew while we read it: what we have is not the whole file
        raise UnsafePath(f"{text!r} changed while it was read", "wait until the file is saved, then try again")
    return data


def _check_regular(info: os.stat_result, text: str, max_bytes: int) -> int:
    """The file's size, when it is a regular file within the limit."""
    if stat.S_ISDIR(info.st_mode):
        raise UnsafePath(f"{text!r} is a folder, not a file", "name a file inside the folder")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"{text!r} is not a regular file", "name an ordinary file; pipes and devices are refused")
    if info.st_size > max_bytes:
        raise UnsafePath(f"{text!r} is {_size(info.st_size)}; the limit is {_size(max_bytes)}", "reduce the file's size")
    return info.st_size


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} kB"
    return f"{n} bytes"
