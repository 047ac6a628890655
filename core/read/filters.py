"""The filters every page shares (area, period, as-of date, product category), as data.

They live in the URL (?area=371400&asof=2026-10-31&cat=耗材) so a link reproduces the view.
`read_params` turns URL parameters into filters the store can serve, with a note for each
parameter it had to set aside; `to_params` writes them back (defaults are left out).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.store.cache import of_data
from core.store.view import area_chain
from core.store.views import CATEGORIES


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
    row = store.read("SELECT MIN(order_date) AS a, MAX(order_date) AS b FROM orders").iloc[0]
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


def read_params(store, params: dict, default_as_of: dt.date, scope: str) -> tuple[Filters, list[tuple[str, str]]]:
    """Filters from URL parameters; a parameter that cannot be served is replaced by its default and named in the
    notes, each (Chinese, English). The notes hold the parameters' text as given: show them as text."""
    notes = []
    regions = store.regions()
    names = dict(zip(regions["region_code"], regions["region_name"]))
    area = str(params.get("area") or scope)
    if area not in names:
        notes.append((f"区域代码 {area[:20]} 不存在，已显示默认区域", f"no area has the code {area[:20]}: showing the default"))
        area = scope
    elif scope not in area_chain(regions, area):
        notes.append((f"{names[area]}不在您的管辖范围内，已显示{names.get(scope, scope)}",
                      f"{names[area]} is outside your jurisdiction: showing {names.get(scope, scope)}"))
        area = scope
    as_of = default_as_of
    if params.get("asof"):
        asked = str(params["asof"])[:20]
        try:
            as_of = dt.date.fromisoformat(asked)
        except ValueError:
            notes.append((f"日期 {asked} 无法识别（应为 YYYY-MM-DD）", f"the date {asked} is not YYYY-MM-DD"))
        dates = order_dates(store)
        if dates and not dates[0] <= as_of <= dates[1]:
            notes.append((f"统计截止日应在 {dates[0]} 至 {dates[1]} 之间", f"the as-of date lies between {dates[0]} and {dates[1]}"))
            as_of = min(max(as_of, dates[0]), dates[1])
    category = params.get("cat") or ""
    if category not in CATEGORIES:
        notes.append((f"产品类别 {str(category)[:20]} 不存在（药品 / 耗材）", f"no product category {str(category)[:20]} "
                      "(drugs or consumables)"))
        category = ""
    return Filters(area, as_of, category), notes


def to_params(filters: Filters, default_as_of: dt.date) -> dict[str, str]:
    """URL parameters for the filters, leaving the default date and category out."""
    out = {"area": filters.area}
    if filters.as_of != default_as_of:
        out["asof"] = filters.as_of.isoformat()
    if filters.category:
        out["cat"] = filters.category
    return out
