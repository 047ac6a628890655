"""Marts: the small tables pages read, recomputed after every import or demo load.

`refresh` computes everything at the as-of date T (flags, indicators at every level,
enterprise tiers, primary-care balance, red flags and the measures ladder) and rewrites
the mart tables in one transaction. Readers return the marts when they are current for
the asked date, and compute afresh otherwise.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import pandas as pd

from . import db, ladder, monthly, rollup
from . import flags as F
from . import schema as S
from .facts import Facts
from .indicators import INDICATORS

Progress = Callable[[float, str], None]
_ACTIONS = "SELECT subject_type, subject_code, quarter, status, action_date FROM actions"


def _quiet(_f: float, _m: str) -> None:
    pass


def compute(store, as_of: dt.date | None = None, progress: Progress = _quiet) -> dict[str, pd.DataFrame]:
    progress(0.05, "汇总订单 / aggregating orders")
    f = Facts(store, as_of)
    progress(0.3, "计算预警 / computing flags")
    flags = F.all_flags(f)
    complaints = f.complaint_timeliness()
    tiers = F.enterprise_tiers(f)
    progress(0.6, "逐级汇总 / rolling up")
    indicators = pd.concat([rollup.rollup(f, flags, complaints), rollup.enterprise_rows(tiers, flags)], ignore_index=True)
    areas = rollup.areas(f, flags)
    progress(0.7, "上月末与上季度末 / last month's and last quarter's end")
    red_now = _red(flags, f.as_of)
    month_end, quarter_end = monthly.previous_month_end(f.as_of), ladder.previous_quarter_end(f.as_of)
    earlier = {}
    for day in sorted({month_end, quarter_end}):
        if day >= f.period_start:
            fe = Facts(store, day)
            earlier[day] = (fe, F.all_flags(fe))
    red_before = _red(earlier[quarter_end][1], quarter_end) if quarter_end in earlier else red_now.iloc[0:0]
    snapshots = [monthly.snapshot(store, f, flags, tiers)]
    if month_end in earlier:
        fe, fl = earlier[month_end]
        snapshots.append(monthly.snapshot(store, fe, fl, F.enterprise_tiers(fe)))
    progress(0.85, "月度序列 / monthly series")
    actions = store.read(_ACTIONS)
    red_now["step"] = red_now["institution_code"].map(
        ladder.steps(red_now, set(red_before["institution_code"]), actions, f.as_of,
                     float(f.settings["notification_score"])))
    ip = f.inst_product[[c.name for c in S.mart_inst_product.columns]].astype({"count_orders": int})
    tiers = tiers[[c.name for c in S.mart_enterprises.columns]].astype({"count_complaints": "Int64", "count_timely": "Int64"})
    return {"as_of": f.as_of, "mart_flags": flags, "mart_indicators": indicators, "mart_inst_product": ip,
            "mart_enterprises": tiers, "mart_areas": areas,
            "mart_red_flags": pd.concat([red_now, red_before.assign(step=None)], ignore_index=True),
            "mart_monthly": monthly.series(f), "mart_enterprise_counties": f.enterprise_counties(), "mart_snapshots": pd.concat(snapshots, ignore_index=True)}


def _red(flags: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    red = flags[flags["flag_id"] == "red_flag"]
    return pd.DataFrame({"quarter": ladder.quarter_of(as_of), "institution_code": red["subject_code"].to_numpy(),
                         "score": red["value"].to_numpy(), "severity": red["severity"].to_numpy()})


def refresh(store, as_of: dt.date | None = None, progress: Progress = _quiet) -> dt.date:
    """Recompute every mart and write them in one transaction; return the as-of date used."""
    result = compute(store, as_of, progress)
    progress(0.9, "写入汇总表 / writing marts")
    with store.begin() as conn:
        for table in S.MART_TABLES:
            conn.execute(table.delete())
            db.bulk_insert(conn, table, result[table.name])
        store.set_meta(conn, "marts_as_of", result["as_of"].isoformat())
        store.set_meta(conn, "marts_data_version", store.meta("data_version", "0"))
    progress(1.0, "完成 / done")
    return result["as_of"]


def current_as_of(store) -> dt.date | None:
    """The as-of date of the marts, when they are current for the store's data."""
    as_of = store.meta("marts_as_of")
    if as_of is None or store.meta("marts_data_version") != store.meta("data_version", "0"):
        return None
    return dt.date.fromisoformat(as_of)


def _from_marts(store, as_of: dt.date | None) -> bool:
    current = current_as_of(store)
    return current is not None and (as_of is None or as_of == current)


def flags(store, as_of: dt.date | None = None) -> pd.DataFrame:
    if _from_marts(store, as_of):
        frame = store.read("SELECT flag_id, severity, level, subject_code, detail_code, value, threshold FROM mart_flags "
                           "ORDER BY flag_id, subject_code, detail_code")
        return frame
    return F.all_flags(Facts(store, as_of))


def indicator_table(store, level: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per entity of a level, with each indicator's numerator, denominator, value and
    flagged count; for enterprises also the tier."""
    if _from_marts(store, as_of):
        rows = store.read("SELECT * FROM mart_indicators WHERE level = :l", {"l": level})
        tiers = store.read("SELECT enterprise_code, tier FROM mart_enterprises")
    else:
        result = compute(store, as_of)
        rows, tiers = result["mart_indicators"], result["mart_enterprises"][["enterprise_code", "tier"]]
        rows = rows[rows["level"] == level]
    wide = rows.pivot(index="subject_code", columns="indicator_id",
                      values=["numerator", "denominator", "value", "count_flagged"])
    order = [i.id for i in INDICATORS if i.id in set(rows["indicator_id"])]
    wide = wide.reindex(columns=pd.MultiIndex.from_tuples(
        [(m, i) for i in order for m in ("numerator", "denominator", "value", "count_flagged")]))
    wide.columns = [f"{i}_{m}" for m, i in wide.columns]
    wide = wide.reset_index().rename(columns={"subject_code": f"{level}_code"})
    if level == "enterprise":
        wide = wide.merge(tiers, on="enterprise_code", how="left")
    return wide
