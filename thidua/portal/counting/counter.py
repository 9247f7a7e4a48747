"""What a counter is: the one interface behind which the database or Redis keeps the views."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class Figures:
    """Views today, this month, this year, in all, and unique visitors (daily uniques summed)."""

    today: int = 0
    month: int = 0
    year: int = 0
    total: int = 0
    visitors: int = 0

    @property
    def odometer(self) -> str:
        """Unique visitors as the seed's widget shows them: six digits at least (004733)."""
        return f"{self.visitors:06d}"

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class Counter(Protocol):
    """Counts views and reads the figures; ``DatabaseCounter`` and ``RedisCounter`` are the two."""

    def count(self, article_id: int, visitor: str | None, moment: dt.datetime) -> tuple[bool, Figures, Figures]:
        """Count a view of ``article_id`` by ``visitor`` at ``moment`` (None: only read), and return
        (counted, the site's figures, the article's) for the day of ``moment``. False when the view
        repeats inside the window, or could not be counted (Redis down)."""
        ...

    def figures(self, day: dt.date, article_id: int | None) -> tuple[Figures, Figures]:
        """The site's figures and the article's (zeros without an article) as of ``day``."""
        ...

    def flush(self) -> int:
        """Write what is buffered into the daily rows; the views moved (0 when nothing is buffered)."""
        ...
