"""How a flag reads in a table: its name, severity and clause from the registry, and its value and threshold
in the flag's unit (a rate in percent, a multiple, a quantity, working days, orders, points, kinds of flag), in
Chinese or English."""
from __future__ import annotations

import re

import pandas as pd

from core.policy.indicators import FLAG_BY_ID, SEVERITY_ZH, flag_name
from core.present.i18n import clause_text, percent_decimals, percent_text, singular, t

# unit -> (Chinese, English) format of a number v (p: v in percentage points); "qty" is formatted apart
UNITS = {"percent": ("{v:.1%}", "{v:.1%}"), "multiple": ("{v:.2f} 倍", "{v:.2f}x"), "qty": ("", ""),
         "workdays": ("{v:.0f} 个工作日", "{v:.0f} working days"), "orders": ("{v:.0f} 笔", "{v:.0f} orders"),
         "points": ("{p:.1f} 个百分点", "{p:.1f} points"),
         "indicators": ("{v:.0f} 项指标", "{v:.0f} indicators"), "flags": ("{v:.0f} 类预警", "{v:.0f} kinds of flag"),
         "red_rule": ("{v:.0f} 类及以上预警或任一重点关注", "{v:.0f} or more kinds of flag, or any serious one"),
         "of_last_year": ("上年的{v:.1%}", "{v:.1%} of last year")}
COUNTED = ("workdays", "orders", "indicators", "flags")  # units that count whole things: "1 order", "2 orders"
SEVERITY_EN = {"warning": "Warning", "serious": "Serious", "severe": "Severe"}


def amount(unit: str, value, lang: str = "zh") -> str:
    """A flag's value or threshold as text in its unit; "—" when missing."""
    if value is None or value != value:
        return "—"
    if unit == "qty":  # whole quantities without decimals, fractional ones to two places
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "percent":  # a rate below 1% with the decimals that show it
        return percent_text(value)
    text = UNITS[unit][1 if lang == "en" else 0].format(v=value, p=value * 100)
    return singular(text) if lang == "en" and round(value) == 1 and unit in COUNTED else text


def describe(frame: pd.DataFrame, lang: str = "zh", settings=None, units=None) -> pd.DataFrame:
    """Rows of flags (flag_id, severity, value, threshold) with flag_name (its threshold as `settings`, the
    settings in force, have it), clause, severity_zh (the severity's label, Chinese unless `lang` is "en"),
    value_text and threshold_text; the numbers stay as they are. `units`: (flag_id, detail_code) -> the product's
    unit (盒), written after a quantity (core.read.units), and kept as qty_unit for exports."""
    flags = [FLAG_BY_ID[f] for f in frame["flag_id"]]
    en = lang == "en"
    details = frame["detail_code"] if "detail_code" in frame else pd.Series(None, index=frame.index, dtype=object)

    # The unit is the data's word (盒), shown in both languages as a product's name is.
    qty_units = [(units or {}).get((f.id, d)) if f.unit == "qty" else None for f, d in zip(flags, details)]

    def text(unit: str, value, unit_name) -> str:
        said = amount(unit, value, lang)
        return f"{said} {unit_name}" if unit == "qty" and unit_name and said != "—" else said
    return frame.assign(
        flag_name=[flag_name(f, lang, settings) for f in flags], clause=[clause_text(f.clause, lang) for f in flags],
        severity_zh=frame["severity"].map(SEVERITY_EN if en else SEVERITY_ZH),
        value_text=[text(f.unit, v, q) for f, v, q in zip(flags, frame["value"], qty_units)],
        threshold_text=[text(f.threshold_unit or f.unit, v, q) for f, v, q in zip(flags, frame["threshold"], qty_units)],
        qty_unit=qty_units)


# unit -> (Chinese, English) number format of a flag's value in a workbook ("qty" picks whole or decimal per value)
EXCEL_FORMATS = {"percent": ("0.0%", "0.0%"), "multiple": ('0.00" 倍"', '0.00"x"'), "workdays": ('0" 个工作日"', '0" working days"'),
                 "orders": ('0" 笔"', '0" orders"'), "points": ('0.0" 个百分点"', '0.0" points"'),
                 "indicators": ('0" 项指标"', '0" indicators"'), "flags": ('0" 类预警"', '0" kinds of flag"'),
                 "red_rule": ('0" 类及以上预警或任一重点关注"', '0" or more kinds of flag, or any serious one"'),
                 "of_last_year": ('"上年的"0.0%', '0.0%" of last year"')}


SAFE_UNIT = re.compile(r"[\w\u3400-\u9fff·/%.-]{1,8}")  # a unit a number format may quote (no quote, no backslash)


def _excel(unit: str, value, lang: str, qty_unit=None) -> tuple[object, str | None]:
    """A flag's value or threshold as a workbook stores it: the number (points in points) and its format; a
    quantity with its product's unit (`qty_unit`) as the page reads it, 70 片."""
    if value is None or value != value:
        return None, None
    if unit == "qty":
        shown = f' "{qty_unit}"' if isinstance(qty_unit, str) and SAFE_UNIT.fullmatch(qty_unit) else ""
        return value, ("#,##0" if float(value).is_integer() else "#,##0.00") + shown
    if unit == "points":
        value = value * 100
    if unit == "percent":
        return value, "0." + "0" * percent_decimals(value) + "%"
    return value, EXCEL_FORMATS[unit][1 if lang == "en" else 0]


def for_workbook(frame: pd.DataFrame, headers: dict[str, str], lang: str = "zh"):
    """A table of flags as a workbook holds it: the value and threshold as numbers in their unit's number
    format, in place of their text. Returns (frame, headers, per-row formats); other tables pass unchanged."""
    if not {"flag_id", "value", "threshold"} <= set(frame.columns) or not {"value_text", "threshold_text"} & set(headers):
        return frame, headers, {}
    flags = [FLAG_BY_ID[f] for f in frame["flag_id"]]
    out, formats, renamed = frame.copy(), {}, {}
    for text, number in (("value_text", "value"), ("threshold_text", "threshold")):
        if text not in headers:
            continue
        units = [f.unit if number == "value" else (f.threshold_unit or f.unit) for f in flags]
        qty_units = frame["qty_unit"] if "qty_unit" in frame else [None] * len(frame)
        pairs = [_excel(u, v, lang, q) for u, v, q in zip(units, frame[number], qty_units)]
        out[f"{number}_number"] = [p[0] for p in pairs]
        formats[f"{number}_number"] = [p[1] for p in pairs]
        renamed[text] = f"{number}_number"
    return out, {renamed.get(k, k): v for k, v in headers.items()}, formats


def threshold_in_force(ind, settings, schedule: float | None) -> float | None:
    """The number an indicator's value is judged against: its setting in force, or `schedule` for one judged
    against the schedule (None where it has no threshold, or no one schedule)."""
    if ind.threshold == "schedule":
        return schedule
    return settings.get(ind.threshold) if ind.threshold else None


def requirement(ind, settings, schedule: float | None, lang: str = "zh") -> tuple[float | None, str]:
    """An indicator's threshold in force and what it asks, as the notification and an institution's self-inspection
    both say it: "不低于 80.0%", "不低于序时进度 88.8%" (the schedule of the view, for progress), "不高于序时进度
    88.8%" (substitutes); with `schedule` None (rounds of different periods in force, `ViewInfo.one_schedule`)
    "不低于各协议周期的序时进度" and no one threshold; an indicator without a threshold flags each problem order."""
    if ind.threshold == "schedule" and schedule is None:
        return None, t(f"dk.req.{ind.direction}", lang).format(bar=t("dk.schedule_each", lang))
    threshold = threshold_in_force(ind, settings, schedule)
    if threshold is None:
        return None, t("req.each_order", lang)
    bar = percent_text(threshold)
    if ind.threshold == "schedule":
        bar = t("dk.schedule", lang).format(rate=bar)
    return threshold, t(f"dk.req.{ind.direction}", lang).format(bar=bar)


def _bound(rate) -> str:
    return f"{float(rate) * 100:g}%"  # 0.8 -> 80%, 0.85 -> 85%


def tier_rule(settings, lang: str = "zh") -> str:
    """How a supplier's tier is given, with the bounds and counts in force."""
    return t("sp.tier_rule", lang).format(
        min=int(settings["tier_complaint_min"]), a=_bound(settings["tier_a_min"]), b=_bound(settings["tier_b_min"]),
        c=_bound(settings["tier_c_min"]), nb=int(settings["cooperation_tier_b"]),
        nc=int(settings["cooperation_tier_c"]), nd=int(settings["cooperation_tier_d"]))


def _gap(settings) -> str:
    return f"{float(settings['primary_gap_points']) * 100:g}"


def primary_rule(settings, lang: str = "zh") -> str:
    """When an area's primary care is imbalanced, with the gap and the delivery threshold in force."""
    return t("sp.primary_rule", lang).format(gap=_gap(settings), warn=_bound(settings["delivery_rate_warning"]))


def levels_rule(settings, lang: str = "zh") -> str:
    """What the table of rates by institution level shows, and when levels are imbalanced (the gap in force)."""
    return t("sp.levels_rule", lang).format(gap=_gap(settings))
