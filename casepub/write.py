"""The only module that writes files: each one to a temporary name beside it, then renamed.

An interrupted build therefore leaves every output either as it was or complete:
os.replace is atomic on POSIX when both names are in one folder. A write that
fails (a read-only folder, a full disk, a file where a folder should be, no
permission) removes its temporary file, leaves the previous file as it was, and
raises OutputError, which callers report as a CP102 diagnostic located where the
output belongs: a case's case.md, an issue's manifest, or the output folder.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from casepub.diagnostics import Diagnostic, Location

TEMPORARY = ".*.tmp"  # the names write_atomic gives its temporary files, as a glob


class OutputError(Exception):
    """A file (or folder) that could not be written, or a temporary file that could not be removed:
    its path and the OS error."""

    def __init__(self, path: Path, error: OSError, action: str = "write"):
        super().__init__(path, error, action)  # all three: the error crosses process boundaries (pickle)
        self.path, self.error, self.action = Path(path), error, action

    def __str__(self) -> str:
        return self.message

    @property
    def reason(self) -> str:
        """The OS's words for the error: "Read-only file system", "No space left on device", ..."""
        return self.error.strerror or str(self.error)

    @property
    def message(self) -> str:
        blocker = _not_a_folder(self.path) if self.error.errno in (errno.ENOTDIR, errno.EEXIST) else None
        if blocker == self.path:
            return f"cannot {self.action} {self.path}: it is a file, not a folder ({self.reason})"
        if blocker is not None:
            return f"cannot {self.action} {self.path}: {blocker} is a file, not a folder ({self.reason})"
        return f"cannot {self.action} {self.path}: {self.reason}"

    @property
    def hint(self) -> str:
        other = "choose another output folder (-o DIR)"
        code = self.error.errno
        if code == errno.EROFS:
            return f"the folder is on a read-only file system: {other}; the earlier outputs were left as they were"
        if code in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full: free space on it, or {other}; the earlier outputs were left as they were"
        if code in (errno.EACCES, errno.EPERM):
            return f"casepub may not write there: fix the folder's permissions, or {other}"
        if code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
            return f"move what is in the way (a file where a folder belongs, or a folder where a file does), or {other}"
        return f"{other}, as the message says"

    def diagnostic(self, where: Location) -> Diagnostic:
        return Diagnostic("CP102", self.message, where, self.hint)


def _not_a_folder(path: Path) -> Path | None:
    """What a mkdir failed on: `path` itself or its nearest existing ancestor, when that is not a folder."""
    for ancestor in (path, *path.parents):
        if ancestor.exists():
            return None if ancestor.is_dir() else ancestor
    return None


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temporary file and a rename; OutputError when it cannot be written."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(path, error) from error
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        _discard(Path(temporary))
        if isinstance(error, OSError):  # a full disk, a folder where the file belongs ...
            raise OutputError(path, error) from error
        raise
    return path


def _discard(temporary: Path) -> None:
    with contextlib.suppress(OSError):  # where even this fails, the next build removes it (remove_temporaries)
        temporary.unlink(missing_ok=True)


def copy_atomic(source: Path | bytes, target: Path) -> Path:
    """Copy a file (or bytes) into place atomically; a target that already exists with the same size is kept
    (callers name targets by content, so the same name means the same bytes)."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if target.is_file() and target.stat().st_size == size:
        return target
    return write_atomic(target, source if isinstance(source, bytes) else source.read_bytes())


def ensure_folder(folder: Path) -> Path:
    """The output folder, made if it is missing, once a file has been created in it and removed again:
    OutputError when it cannot be written (read-only, a file, no permission), before any work is done.
    A full disk usually passes (an empty file takes no space): each write then reports it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".casepub.", suffix=".tmp", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(folder, error) from error
    return folder


def remove_temporaries(folder: Path) -> None:
    """The temporary files of a build that was killed before it could rename them."""
    for leftover in Path(folder).rglob(TEMPORARY) if Path(folder).is_dir() else ():
        try:
            leftover.unlink(missing_ok=True)
        except OSError as error:
            raise OutputError(leftover, error, "remove") from error
