"""arXiv's announcement schedule, for backfilling past days from the API.

Submissions close at 14:00 US Eastern on weekdays. What closed on weekday C is
announced that evening (Thursday's close on Sunday evening) and appears in the
feed dated the next weekday D. So the feed of D carries the submissions made
between the close before C and the close on C. On an arXiv holiday nothing
closes: the next feed is empty and its papers move to the following one.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from generator.errors import DigestError

EASTERN = ZoneInfo("America/New_York")
CLOSE = dt.time(14, 0)

# arXiv's published holiday schedule; days not listed are assumed ordinary.
HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date.fromisoformat(day)
    for day in (
        "2025-01-01", "2025-01-20", "2025-05-26", "2025-06-19", "2025-07-04",
        "2025-09-01", "2025-11-27", "2025-12-25", "2025-12-31",
        "2026-01-01", "2026-01-19", "2026-06-19", "2026-07-03", "2026-09-07",
        "2026-11-26", "2026-12-25", "2026-12-29", "2026-12-31",
    )
)  # fmt: skip


def previous_weekday(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def latest_feed_day(now: dt.datetime) -> dt.date:
    """The newest date a feed can carry at `now`: the next weekday after today in US
    Eastern (the feed of a day goes out the evening before it)."""
    day = now.astimezone(EASTERN).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def is_feed_day(day: dt.date) -> bool:
    """Feeds carry items Monday to Friday, unless the close they carry fell on a holiday."""
    return day.weekday() < 5 and previous_weekday(day) not in HOLIDAYS


def submission_window(day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """The [start, end) submission times the feed dated `day` announces, or None."""
    if not is_feed_day(day):
        return None
    close = previous_weekday(day)
    previous_close = previous_weekday(close)
    while previous_close in HOLIDAYS:
        previous_close = previous_weekday(previous_close)
    return _at_close(previous_close), _at_close(close)


def feed_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """The announcement days from `first` to `last`, both included."""
    days = []
    day = first
    while day <= last:
        if is_feed_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at_close(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, CLOSE, tzinfo=EASTERN)


def refuse_unannounced(date: dt.date, now: dt.datetime) -> None:
    """A feed dated after arXiv's next announcement is wrong, not early: storing it
    would make it the home page of the site."""
    latest = latest_feed_day(now)
    if date > latest:
        raise DigestError(
            f"the feed is dated {date}, after arXiv's next announcement ({latest}): "
            "refused, nothing was changed"
        )
