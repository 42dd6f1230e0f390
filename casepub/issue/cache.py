"""What an issue build remembers: file digests, render results by content key, finished outputs.

An article's render key is the digest of everything its PDF depends on: the
files of its case folder, the journal profiles, the templates, casepub's own
rendering code and version. Render results live under .cache/articles/ by that
key (the unnumbered PDF, and a JSON sidecar with pages, title and diagnostics),
written atomically, so an interrupted build loses at most the articles in
progress. The state file only saves work: the digest of each file seen (reused
while its size, mtime and inode are unchanged, as git's index does) and the
key of each article's finished outputs.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from casepub.issue.results import Rendering
from casepub.write import write_atomic

STATE_VERSION = 2


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class State:
    path: Path
    files: dict[str, list] = field(default_factory=dict)      # path -> [size, mtime_ns, inode, digest]
    finished: dict[str, str] = field(default_factory=dict)    # output folder -> key of its finished outputs
    issue: str = ""                                           # key of the issue-wide outputs
    dirty: bool = False

    @classmethod
    def load(cls, path: Path) -> State:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError("old state")
            return cls(path, data["files"], data["finished"], data.get("issue", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return cls(path)  # no state, or a broken one: start afresh (the content cache still holds)

    def save(self) -> None:
        if self.dirty:
            payload = {"version": STATE_VERSION, "files": self.files, "finished": self.finished, "issue": self.issue}
            write_atomic(self.path, json.dumps(payload, separators=(",", ":")))
            self.dirty = False

    def digest(self, path: Path) -> str:
        """The file's SHA-256, from the state while its size, mtime and inode are unchanged."""
        info = path.stat()
        stamp = [info.st_size, info.st_mtime_ns, info.st_ino]
        known = self.files.get(str(path))
        if known and known[:3] == stamp:
            return known[3]
        value = _sha256(path)
        self.files[str(path)] = stamp + [value]
        self.dirty = True
        return value

    def tree(self, folder: Path, pattern: str = "*") -> str:
        """One digest for the regular files below `folder` matching `pattern`: names and contents."""
        lines = []
        for path in sorted(folder.rglob(pattern)) if folder.is_dir() else ():
            parts = path.relative_to(folder).parts
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in parts):
                lines.append(f"{path.relative_to(folder)}\0{self.digest(path)}")
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def finish(self, target: str, key: str) -> None:
        self.finished[target] = key
        self.dirty = True


def combine(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class ArticleCache:
    """Render results by key: <key>.pdf (unnumbered) and <key>.json (what the build needs to know)."""
    folder: Path

    def pdf(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def sidecar(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> Rendering | None:
        try:
            result = Rendering.from_json(json.loads(self.sidecar(key).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, or written by another version: render again
        if result.ok and not self.pdf(key).is_file():
            return None
        return result

    def put(self, key: str, result: Rendering, pdf: bytes | None = None) -> None:
        if pdf is not None:
            write_atomic(self.pdf(key), pdf)
        # last: it vouches for the PDF
        write_atomic(self.sidecar(key), json.dumps(result.to_json(), ensure_ascii=False))
