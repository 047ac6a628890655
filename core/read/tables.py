"""The command line's tables: flags and indicators of a level, from the stored view current for the filters, or
computed afresh without writing when there is none."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.policy.indicators import INDICATORS
from core.refresh import flags as F
from core.refresh.facts import Facts
from core.refresh.marts import compute
from core.store.views import find_view

def flags(store, as_of: dt.date | None = None, category: str = "") -> pd.DataFrame:
    """Every flag of the view for these filters: stored, or computed afresh (values and thresholds as numbers
    either way, so the command line prints them alike)."""
    view = find_view(store, as_of, category)
    if view is not None:
        return store.read("SELECT flag_id, severity, level, subject_code, detail_code, value, threshold FROM mart_flags "
                          "WHERE view_id = :v ORDER BY flag_id, subject_code, detail_code", {"v": view.view_id})
    return F.all_flags(Facts(store, as_of, category=category)).astype({"value": float, "threshold": float})


def indicator_table(store, level: str, as_of: dt.date | None = None, category: str = "") -> pd.DataFrame:
    """One row per entity of a level, with each indicator's numerator, denominator, value and
    flagged count; for enterprises also the tier."""
    view = find_view(store, as_of, category)
    if view is not None:
        rows = store.read("SELECT level, subject_code, indicator_id, numerator, denominator, value, count_flagged "
                          "FROM mart_indicators WHERE view_id = :v AND level = :l", {"v": view.view_id, "l": level})
        tiers = store.read("SELECT enterprise_code, tier FROM mart_enterprises WHERE view_id = :v", {"v": view.view_id})
    else:
        result = compute(store, as_of, category=category)
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
