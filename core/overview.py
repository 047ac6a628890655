"""What the store holds, by city: the home page's figures and map."""
from __future__ import annotations

import pandas as pd

from . import regions
from .i18n import t

_BY_CITY = """
SELECT c.region_code AS city_code, c.region_name AS city_name,
       COUNT(DISTINCT i.institution_code) AS count_institutions,
       COUNT(DISTINCT CASE WHEN i.is_primary THEN i.institution_code END) AS count_primary,
       COUNT(DISTINCT k.region_code) AS count_counties
FROM regions c
JOIN regions k ON k.parent_code = c.region_code AND k.region_level = 'county'
LEFT JOIN institutions i ON i.county_code = k.region_code
WHERE c.region_level = 'city'
GROUP BY c.region_code, c.region_name
ORDER BY c.region_code
"""

_ORDERS_BY_CITY = """
SELECT k.parent_code AS city_code, COUNT(*) AS count_orders, SUM(o.order_qty) AS order_qty
FROM orders o
JOIN institutions i ON i.institution_code = o.institution_code
JOIN regions k ON k.region_code = i.county_code
GROUP BY k.parent_code
"""


def counts_by_city(store) -> pd.DataFrame:
    """One row per city: institutions, primary institutions, counties, orders."""
    base = store.read(_BY_CITY)
    orders = store.read(_ORDERS_BY_CITY)
    out = base.merge(orders, on="city_code", how="left")
    out["count_orders"] = out["count_orders"].fillna(0).astype(int)
    out["order_qty"] = out["order_qty"].fillna(0.0)
    return out


def totals(store) -> dict[str, int]:
    return store.counts()


def city_features(store, values: pd.DataFrame, value_column: str) -> dict:
    """The province's city boundaries with a value per city in each feature's properties."""
    fc = regions.features(store.province_code, "city")
    by_code = values.set_index("city_code")
    for f in fc["features"]:
        code = f["properties"]["code"]
        f["properties"]["value"] = float(by_code[value_column].get(code, 0)) if code in by_code.index else 0.0
    return fc


TILES = (  # metric, kind; labels are tile.<metric> in the catalogue
    ("delivery", "rate"), ("progress", "ratio"), ("nonselected", "rate"), ("complaint", "rate"),
    ("count_red_flag", "count"), ("count_tier_cd", "count"),
)


def headline(store, area_code: str, lang: str = "zh") -> list[dict]:
    """The overview's tiles for an area: value at T and its change since the previous month's end."""
    snaps = store.read("SELECT as_of, metric, value FROM mart_snapshots WHERE region_code = :a", {"a": area_code})
    if snaps.empty:
        return []
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date
    dates = sorted(snaps["as_of"].unique())
    now = snaps[snaps["as_of"] == dates[-1]].set_index("metric")["value"]
    before = snaps[snaps["as_of"] == dates[0]].set_index("metric")["value"] if len(dates) > 1 else pd.Series(dtype=float)
    tiles = []
    for metric, kind in TILES:
        label = t(f"tile.{metric}", lang)
        if metric not in now.index:
            continue
        value = now[metric]
        previous = before.get(metric)
        change = None if previous is None or value != value or previous != previous else value - previous
        tiles.append({"metric": metric, "label": label, "kind": kind, "value": value, "previous": previous,
                      "change": change, "as_of": dates[-1], "previous_as_of": dates[0] if len(dates) > 1 else None})
    return tiles


def monthly_rates(store, area_code: str) -> pd.DataFrame:
    """Per month for an area: delivery rate of agreed orders placed that month, selected share, timely rate."""
    m = store.read("SELECT * FROM mart_monthly WHERE region_code = :a ORDER BY month", {"a": area_code})
    m["delivery_rate"] = m["agreed_delivered_qty"] / m["agreed_order_qty"].where(m["agreed_order_qty"] > 0)
    total = m["selected_qty"] + m["nonselected_qty"]
    m["selected_share"] = m["selected_qty"] / total.where(total > 0)
    m["timely_rate"] = m["count_timely"] / m["count_complaints"].where(m["count_complaints"] > 0)
    return m


def children_ranked(store, area_code: str) -> pd.DataFrame:
    """The areas one level down with their headline figures now and their change since last month."""
    kids = store.read("SELECT region_code, region_name, region_level FROM regions WHERE parent_code = :a", {"a": area_code})
    if kids.empty:
        return kids
    snaps = store.read("SELECT s.as_of, s.region_code, s.metric, s.value FROM mart_snapshots s "
                       "JOIN regions r ON r.region_code = s.region_code WHERE r.parent_code = :a", {"a": area_code})
    snaps["as_of"] = pd.to_datetime(snaps["as_of"]).dt.date
    dates = sorted(snaps["as_of"].unique())
    now = snaps[snaps["as_of"] == dates[-1]].pivot(index="region_code", columns="metric", values="value")
    out = kids.merge(now, left_on="region_code", right_index=True, how="left")
    if len(dates) > 1:
        before = snaps[snaps["as_of"] == dates[0]].pivot(index="region_code", columns="metric", values="value")
        for metric in ("delivery", "progress", "nonselected", "complaint", "count_red_flag"):
            if metric in before and metric in out:
                out[f"{metric}_change"] = out[metric] - out["region_code"].map(before[metric])
    return out.sort_values("delivery", kind="stable").reset_index(drop=True)


def got_worse(ranked: pd.DataFrame) -> pd.DataFrame:
    """Areas whose delivery rate fell or whose red-flag count rose since last month, worst first."""
    cols = [c for c in ("delivery_change", "count_red_flag_change") if c in ranked]
    if not cols:
        return ranked.iloc[0:0]
    worse = ranked[(ranked.get("delivery_change", 0) < 0) | (ranked.get("count_red_flag_change", 0) > 0)]
    return worse.sort_values(cols[0], kind="stable")
