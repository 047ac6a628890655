"""The settings in force, for the settings page: name, value, default, meaning, source."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import settings as settings_mod
from .workdays import DEFAULT as CAL


def settings_in_force(store) -> pd.DataFrame:
    values = store.settings()
    return pd.DataFrame([{
        "name": s.name, "value": str(values[s.name]), "default": str(s.default), "changed": values[s.name] != s.default,
        "help_zh": s.help_zh, "help_en": s.help_en, "source": f"鲁医保发〔2023〕14号 {s.source}" if s.source else "",
    } for s in settings_mod.SETTINGS])


def calendar_notes(years: list[int]) -> list[str]:
    """A sentence for each year whose working days fall back to Monday to Friday."""
    return [f"{y} 年的节假日安排尚未载入，按周一至周五计算工作日（可在 data/calendar/{y}.json 中补充）。"
            for y in years if not CAL.is_covered(y)]


def years_in_view(as_of: dt.date | None) -> list[int]:
    """The as-of year, and the next one in December (deadlines then run into January)."""
    day = as_of or dt.date.today()
    return [day.year, day.year + 1] if day.month == 12 else [day.year]
