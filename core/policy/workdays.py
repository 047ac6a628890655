"""China's working-day calendar (工作日): weekends off, public holidays off, make-up days on.

Sources, in order: a year file under data/calendar/<year>.json (holidays and make-up
workdays a bureau adds without a code change), then `chinese-calendar`, then Monday to
Friday for years neither covers (`is_covered` tells the UI to say so).

A year file looks like {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...]}.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

import chinese_calendar

from core.paths import DATA_DIR

CALENDAR_DIR = DATA_DIR / "calendar"


@functools.lru_cache(maxsize=64)
def _year_file(year: int, folder: str) -> tuple[frozenset, frozenset] | None:
    path = Path(folder) / f"{year}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return (frozenset(dt.date.fromisoformat(d) for d in data.get("holidays", [])),
            frozenset(dt.date.fromisoformat(d) for d in data.get("workdays", [])))


class Calendar:
    def __init__(self, folder: Path | str = CALENDAR_DIR):
        self.folder = str(folder)

    def source(self, year: int) -> str:
        """'file', 'chinese-calendar' or 'weekdays' (the fallback)."""
        if _year_file(year, self.folder) is not None:
            return "file"
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
            return "chinese-calendar"
        except NotImplementedError:
            return "weekdays"

    def is_covered(self, year: int) -> bool:
        return self.source(year) != "weekdays"

    @functools.lru_cache(maxsize=8192)
    def is_workday(self, day: dt.date) -> bool:
        custom = _year_file(day.year, self.folder)
        if custom is not None:
            holidays, workdays = custom
            if day in workdays:
                return True
            if day in holidays:
                return False
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (n >= 0; n = 0 gives `day` itself)."""
        current = day
        while n > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    @functools.lru_cache(maxsize=64)
    def _running(self, year: int) -> tuple[int, ...]:
        """Working days of `year` from 1 January up to and including each day of the year."""
        out, count, day = [], 0, dt.date(year, 1, 1)
        while day.year == year:
            count += self.is_workday(day)
            out.append(count)
            day += dt.timedelta(days=1)
        return tuple(out)

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        first = self._running(start.year)
        if start.year == end.year:
            return first[end.timetuple().tm_yday - 1] - first[start.timetuple().tm_yday - 1]
        count = first[-1] - first[start.timetuple().tm_yday - 1]
        for year in range(start.year + 1, end.year):
            count += self._running(year)[-1]
        return count + self._running(end.year)[end.timetuple().tm_yday - 1]


DEFAULT = Calendar()
