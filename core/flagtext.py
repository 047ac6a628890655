"""How a flag reads in a table: its name, severity and clause from the registry, and its value and threshold
in the flag's unit (a rate in percent, a multiple, a quantity, working days, orders, points, a score), in
Chinese or English."""
from __future__ import annotations

import pandas as pd

from .indicators import FLAG_BY_ID, SEVERITY_ZH

# unit -> (Chinese, English) format of a number v (p: v in percentage points); "qty" is formatted apart
UNITS = {"percent": ("{v:.1%}", "{v:.1%}"), "multiple": ("{v:.2f} 倍", "{v:.2f}x"), "qty": ("", ""),
         "workdays": ("{v:.0f} 个工作日", "{v:.0f} working days"), "orders": ("{v:.0f} 笔", "{v:.0f} orders"),
         "points": ("{p:.1f} 个百分点", "{p:.1f} points"), "score": ("{v:.0f} 分", "score {v:.0f}"),
         "indicators": ("{v:.0f} 项指标", "{v:.0f} indicators")}
SEVERITY_EN = {"warning": "Warning", "serious": "Serious", "severe": "Severe"}


def amount(unit: str, value, lang: str = "zh") -> str:
    """A flag's value or threshold as text in its unit; "—" when missing."""
    if value is None or value != value:
        return "—"
    if unit == "qty":  # whole quantities without decimals, fractional ones to two places
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return UNITS[unit][1 if lang == "en" else 0].format(v=value, p=value * 100)


def describe(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rows of flags (flag_id, severity, value, threshold) with flag_name, clause, severity_zh (the severity's
    label, Chinese unless `lang` is "en"), value_text and threshold_text; the numbers stay as they are."""
    flags = [FLAG_BY_ID[f] for f in frame["flag_id"]]
    en = lang == "en"
    return frame.assign(
        flag_name=[f.en if en else f.zh for f in flags], clause=[f.clause for f in flags],
        severity_zh=frame["severity"].map(SEVERITY_EN if en else SEVERITY_ZH),
        value_text=[amount(f.unit, v, lang) for f, v in zip(flags, frame["value"])],
        threshold_text=[amount(f.threshold_unit or f.unit, v, lang) for f, v in zip(flags, frame["threshold"])])
