"""Where an article stands in an issue: volume, issue, date and its pages."""
from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Placement:
    volume: int
    issue: int
    date: datetime.date
    first_page: int
    last_page: int
    doi: str | None = None

    @property
    def pages(self) -> str:
        return str(self.first_page) if self.last_page == self.first_page else f"{self.first_page}–{self.last_page}"
