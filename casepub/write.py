"""The only module that writes files: each one to a temporary name beside it, then renamed.

An interrupted build therefore leaves every output either as it was or complete:
os.replace is atomic on POSIX when both names are in one folder.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def copy_atomic(source: Path, target: Path) -> Path:
    """Copy a file into place atomically; a target that already exists with the same size is kept
    (callers name targets by content, so the same name means the same bytes)."""
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return target
    return write_atomic(target, source.read_bytes())
