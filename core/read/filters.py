"""The filters every page shares (area, period, as-of date, product category), as data, and the periods and
order dates a store offers them.

They live in the URL (?area=371400&asof=2026-10-31&cat=耗材) so a link reproduces the view;
core.access.scope turns what a user asked for into the view the user may see.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.store.cache import of_data


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} ~ {self.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Filters:
    area: str
    as_of: dt.date
    category: str = ""


def _day(value) -> dt.date | None:
    return None if value is None or value != value else pd.Timestamp(value).date()


@of_data
def order_dates(store) -> tuple[dt.date, dt.date] | None:
    """The first and the latest order date in the store."""
    # each in a query of its own, which the index answers at once: SQLite scans every row for MIN and MAX together
    row = store.read("SELECT (SELECT MIN(order_date) FROM orders) AS a, (SELECT MAX(order_date) FROM orders) AS b").iloc[0]
    first, last = _day(row["a"]), _day(row["b"])
    return (first, last) if first and last else None


@of_data
def periods(store) -> list[Period]:
    """The procurement periods that have orders: the agreements' periods, and calendar years of
    orders outside any agreement. Latest first."""
    dates = order_dates(store)
    if dates is None:
        return []
    first, last = dates
    rows = store.read("SELECT DISTINCT period_start, period_end FROM agreements")
    found = {Period(_day(r.period_start), _day(r.period_end)) for r in rows.itertuples()}
    found = {p for p in found if p.start <= last and p.end >= first}
    for year in range(first.year, last.year + 1):
        day = max(first, dt.date(year, 1, 1))
        if not any(p.start <= day <= p.end for p in found):
            found.add(Period(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return sorted(found, key=lambda p: (p.start, p.end), reverse=True)


def period_of(options: list[Period], as_of: dt.date) -> Period | None:
    """The latest-starting period holding the date."""
    return next((p for p in options if p.start <= as_of <= p.end), None)
