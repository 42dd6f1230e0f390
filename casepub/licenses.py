"""The licences a case may name by SPDX identifier (spdx.org/licenses), with the name and URL printed.

A short list on purpose: articles are published under the Creative Commons licences, CC0 or a public
licence of a government; `license-known` (CP044) names the closest identifier for anything else.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class License:
    spdx: str
    name: str       # the SPDX full name
    short: str      # as journals print it: "CC BY-NC-ND 4.0"
    url: str


def _cc(spdx: str, version: str) -> License:
    """A Creative Commons licence from its SPDX id: CC-BY-NC-ND-4.0 -> by-nc-nd, version 4.0."""
    parts = spdx.removesuffix("-" + version).split("-")[1:]  # ["BY", "NC", "ND"]
    words = {"BY": "Attribution", "NC": "NonCommercial", "ND": "NoDerivatives" if version == "4.0" else "NoDerivs",
             "SA": "ShareAlike"}
    suffix = " International" if version == "4.0" else " Unported"
    name = "Creative Commons " + "-".join(words[p] for p in parts) + f" {version}{suffix}"
    return License(spdx, name, f"CC {'-'.join(parts)} {version}",
                   f"https://creativecommons.org/licenses/{'-'.join(parts).lower()}/{version}/")


_CC = ("BY", "BY-SA", "BY-NC", "BY-NC-SA", "BY-ND", "BY-NC-ND")
LICENSES: dict[str, License] = {
    license.spdx: license for license in (
        *(_cc(f"CC-{kind}-{version}", version) for version in ("4.0", "3.0") for kind in _CC),
        License("CC0-1.0", "Creative Commons Zero v1.0 Universal", "CC0 1.0",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
        License("CC-PDDC", "Creative Commons Public Domain Dedication and Certification", "Public domain",
                "https://creativecommons.org/licenses/publicdomain/"),
        License("OGL-UK-3.0", "Open Government Licence v3.0", "OGL v3.0",
                "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
        License("ODC-By-1.0", "Open Data Commons Attribution License v1.0", "ODC-By 1.0",
                "https://opendatacommons.org/licenses/by/1-0/"),
    )
}


def find(spdx: str | None) -> License | None:
    """The licence of an SPDX id as written; SPDX ids are matched without regard to case."""
    if not spdx:
        return None
    return _FOLDED.get(spdx.strip().casefold())


_FOLDED = {key.casefold(): value for key, value in LICENSES.items()}
