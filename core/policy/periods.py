"""Calendar periods the notice reviews by: months and quarters, and the ends of the last ones before a day.

The overview compares T with the last month's end; the measures ladder reviews by quarter (二（七）: at least
once a quarter) and compares T with the last quarter's end.
"""
from __future__ import annotations

import datetime as dt


def month_of(day: dt.date) -> int:
    """The month as a number, 202611 for November 2026 (the orders' derived order_month)."""
    return day.year * 100 + day.month


def previous_month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_end(day: dt.date) -> dt.date:
    return quarter_start(day) - dt.timedelta(days=1)


def quarter_end_reached(day: dt.date) -> dt.date:
    """The latest quarter end on or before the day: the day itself on a quarter's last day (that quarter has
    ended when its figures are judged), else the end of the quarter before."""
    return day if day == quarter_end(day) else previous_quarter_end(day)


def quarter_end(day: dt.date) -> dt.date:
    start = quarter_start(day)
    following = dt.date(start.year + 1, 1, 1) if start.month == 10 else dt.date(start.year, start.month + 3, 1)
    return following - dt.timedelta(days=1)


def next_quarter_end(day: dt.date) -> dt.date:
    """The end of the day's quarter, or of the next quarter when the day is its quarter's last."""
    end = quarter_end(day)
    return end if end > day else quarter_end(end + dt.timedelta(days=1))


def earlier_ends(day: dt.date) -> list[dt.date]:
    """The last month's end and the last quarter's end before the day (one date when they coincide), latest first."""
    return sorted({previous_month_end(day), previous_quarter_end(day)}, reverse=True)
