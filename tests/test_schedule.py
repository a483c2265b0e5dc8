from __future__ import annotations

import datetime as dt

from generator.sources.schedule import EASTERN, feed_days, submission_window


def at_close(day: int) -> dt.datetime:
    return dt.datetime(2026, 6, day, 14, 0, tzinfo=EASTERN)


def test_fridays_feed_carries_wednesday_to_thursday_submissions() -> None:
    assert submission_window(dt.date(2026, 6, 19)) == (at_close(17), at_close(18))


def test_tuesdays_feed_carries_the_weekend() -> None:
    assert submission_window(dt.date(2026, 6, 16)) == (at_close(12), at_close(15))


def test_mondays_feed_carries_thursday_to_friday() -> None:
    assert submission_window(dt.date(2026, 6, 15)) == (at_close(11), at_close(12))


def test_a_holiday_empties_the_next_feed_and_moves_its_papers_on() -> None:
    # 19 Jun 2026 is an arXiv holiday: Monday 22 Jun's feed is empty (as fetched),
    # and Tuesday's carries Thursday 14:00 to Monday 14:00.
    assert submission_window(dt.date(2026, 6, 22)) is None
    assert submission_window(dt.date(2026, 6, 23)) == (at_close(18), at_close(22))


def test_feed_days_skip_weekends_and_holiday_gaps() -> None:
    days = feed_days(dt.date(2026, 6, 12), dt.date(2026, 6, 23))
    assert [d.day for d in days] == [12, 15, 16, 17, 18, 19, 23]
