"""How a flag reads in a table: its name, severity and clause from the registry, and its value and threshold
in the flag's unit (a rate in percent, a multiple, a quantity, working days, orders, points, a score)."""
from __future__ import annotations

import pandas as pd

from .indicators import FLAG_BY_ID, SEVERITY_ZH, UNITS


def amount(unit: str, value) -> str:
    """A flag's value or threshold as text in its unit; "—" when missing."""
    if value is None or value != value:
        return "—"
    if unit == "qty":  # whole quantities without decimals, fractional ones to two places
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return UNITS[unit].format(v=value, p=value * 100)


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """Add flag_name, clause, severity_zh, value_text and threshold_text to rows of flags (flag_id, severity,
    value, threshold); the numbers stay as they are."""
    flags = [FLAG_BY_ID[f] for f in frame["flag_id"]]
    return frame.assign(
        flag_name=[f.zh for f in flags], clause=[f.clause for f in flags],
        severity_zh=frame["severity"].map(SEVERITY_ZH),
        value_text=[amount(f.unit, v) for f, v in zip(flags, frame["value"])],
        threshold_text=[amount(f.threshold_unit or f.unit, v) for f, v in zip(flags, frame["threshold"])])
