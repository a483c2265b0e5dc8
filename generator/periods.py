"""Weeks and months: the periods a topic's best papers are listed by (render/
period_pages.py, the weekly feeds), and where their pages are. The build cache
(site/months.py) asks here too, so this module needs nothing of render/.

A week is an ISO week, Monday to Sunday, named by its ISO year: the week of
2025-12-31 is 2026-W01. A period is on the site when one of its days is.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date  # a week's Monday, a month's first day
    kind: Literal["month", "week"]

    @classmethod
    def week_of(cls, date: dt.date) -> Period:
        return cls(date - dt.timedelta(days=date.weekday()), "week")

    @classmethod
    def month_of(cls, date: dt.date) -> Period:
        return cls(date.replace(day=1), "month")

    @property
    def end(self) -> dt.date:
        """Its last calendar day: a Sunday, or the month's last day."""
        if self.kind == "week":
            return self.start + dt.timedelta(days=6)
        following = (self.start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1)

    def __contains__(self, date: dt.date) -> bool:
        return self.start <= date <= self.end

    @property
    def folder(self) -> str:
        """Where its pages are, under content/ and site/ (render/urls.py puts a topic's
        in it): "2026/W25", by the ISO year, which a week of late December or early
        January may not share with its days; a month's is its days' "2026/06"."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}/W{week:02d}"
        return f"{self.start:%Y/%m}"

    @property
    def label(self) -> str:
        """ "2026 年第 25 周", "2026 年 6 月"."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year} 年第 {week} 周"
        return f"{self.start.year} 年 {self.start.month} 月"

    @property
    def short(self) -> str:
        """ "W25", "6 月": within a year's list."""
        if self.kind == "week":
            return f"W{self.start.isocalendar().week:02d}"
        return f"{self.start.month} 月"

    @property
    def name(self) -> str:
        """ "2026-W25", "2026-06": for ids."""
        return self.folder.replace("/", "-")


def weeks_and_months(dates: Iterable[dt.date]) -> list[Period]:
    """Every week and month one of `dates` is in, oldest first."""
    every = {period for date in dates for period in (Period.week_of(date), Period.month_of(date))}
    return sorted(every)


def around(dates: Sequence[dt.date], period: Period) -> tuple[dt.date | None, dt.date | None]:
    """The days of `dates` (sorted) just before and just after `period`: its page links
    to the periods they are in."""
    first = bisect.bisect_left(dates, period.start)
    after = bisect.bisect_right(dates, period.end)
    return (dates[first - 1] if first else None), (dates[after] if after < len(dates) else None)
