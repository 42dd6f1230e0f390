"""Fetch axe-core, the accessibility rules the browser tests run (tests/test_accessibility.py), from the npm
registry: one pinned version, its tarball checked against the registry's sha512, axe.min.js and its licence
kept in .cache/axe-core/ (not in the repository, not in the package). Run by scripts/setup.sh; does nothing when
the file is there already.

    .venv/bin/python scripts/fetch_axe.py
"""
from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
FOLDER = Path(__file__).resolve().parent.parent / ".cache" / "axe-core"
SCRIPT = FOLDER / f"axe-{VERSION}.min.js"


def fetch() -> Path:
    if SCRIPT.is_file():
        return SCRIPT
    with urllib.request.urlopen(TARBALL, timeout=60) as response:  # the npm registry: a package registry
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"fetch_axe: {TARBALL} does not match its registry checksum")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        files = {member.name: archive.extractfile(member) for member in archive.getmembers() if member.isfile()}
        script, licence = files.get("package/axe.min.js"), files.get("package/LICENSE")
        if script is None or licence is None:
            raise SystemExit("fetch_axe: the tarball has no package/axe.min.js")
        FOLDER.mkdir(parents=True, exist_ok=True)
        (FOLDER / "LICENSE").write_bytes(licence.read())
        partial = SCRIPT.with_suffix(".partial")
        partial.write_bytes(script.read())
        partial.replace(SCRIPT)
    return SCRIPT


if __name__ == "__main__":
    print(fetch(), file=sys.stderr)
