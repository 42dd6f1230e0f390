"""What casepub reads at run time from its own package: templates and journal profiles.

Found with importlib.resources, so they come from the installed wheel as from a
clone. The repository's top-level templates/ folder is the package
casepub.templates (pyproject.toml maps it), so journals restyle casepub where
they look for it. Jinja2 and the PDF fetcher need real folders; an installed
package (a wheel, an editable install) is one, which `as_folder` checks.
"""
from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def as_folder(resource: Traversable) -> Path:
    path = Path(str(resource))
    if not path.is_dir():
        raise RuntimeError(f"casepub's package data is missing: {resource} (reinstall casepub)")
    return path


TEMPLATES = as_folder(files("casepub.templates"))
PROFILES = as_folder(files("casepub.profiles"))
