"""What the map page shows for one area: its figures against the level above, its children
with the chosen layer's values, and, at county level, its institutions."""
from __future__ import annotations

import pandas as pd

from .indicators import INDICATORS

LEVEL_OF_CHILDREN = {"province": "city", "city": "county"}
GAP = "gap"
RED = "red_flag"
ENTERPRISE = "enterprise"


def area_figures(store, crumbs) -> pd.DataFrame:
    """Each indicator for the current area and the level above it."""
    here = crumbs[-1]
    codes = [here.code] + ([crumbs[-2].code] if len(crumbs) > 1 else [])
    rows = store.read("SELECT level, subject_code, indicator_id, numerator, denominator, value, count_flagged "
                      "FROM mart_indicators WHERE subject_code IN (" + ", ".join(f":c{i}" for i in range(len(codes))) + ")"
                      " AND level <> 'institution' AND level <> 'enterprise'", {f"c{i}": c for i, c in enumerate(codes)})
    mine = rows[rows["subject_code"] == here.code].set_index("indicator_id")
    parent = rows[rows["subject_code"] != here.code].set_index("indicator_id")
    out = []
    for ind in INDICATORS:
        if ind.id not in mine.index:
            continue
        r = mine.loc[ind.id]
        out.append({"indicator_id": ind.id, "numerator": r["numerator"], "denominator": r["denominator"],
                    "value": r["value"], "parent_value": parent["value"].get(ind.id) if len(parent) else None,
                    "count_flagged": int(r["count_flagged"])})
    return pd.DataFrame(out)


def enterprise_rates(store, enterprise_code: str, code: str, child_level: str) -> pd.DataFrame:
    """An enterprise's delivery rate in each child area of `code` (supplier-tier view)."""
    key = "m.county_code" if child_level == "county" else "k.parent_code"
    frame = store.read(f"""SELECT {key} AS code, SUM(m.delivered_qty) AS delivered_qty, SUM(m.ordered_qty) AS ordered_qty
                           FROM mart_enterprise_counties m JOIN regions k ON k.region_code = m.county_code
                           WHERE m.enterprise_code = :e GROUP BY {key}""", {"e": enterprise_code})
    frame["value"] = frame["delivered_qty"] / frame["ordered_qty"].where(frame["ordered_qty"] > 0)
    return frame[["code", "value"]]


def child_values(store, code: str, child_level: str, layer: str, enterprise_code: str | None = None) -> pd.DataFrame:
    """One row per child area: code, name, value of the layer, flagged count, red-flag count."""
    kids = store.read("SELECT region_code AS code, region_name AS name FROM regions WHERE parent_code = :c "
                      "ORDER BY region_code", {"c": code})
    areas = store.read("SELECT * FROM mart_areas WHERE region_level = :l", {"l": child_level})
    kids = kids.merge(areas[["region_code", "count_red_flag", "count_institutions", "primary_delivered_qty",
                             "primary_ordered_qty", "others_delivered_qty", "others_ordered_qty"]],
                      left_on="code", right_on="region_code", how="left").drop(columns="region_code")
    if layer == GAP:
        primary = kids["primary_delivered_qty"] / kids["primary_ordered_qty"].where(kids["primary_ordered_qty"] > 0)
        others = kids["others_delivered_qty"] / kids["others_ordered_qty"].where(kids["others_ordered_qty"] > 0)
        kids["value"] = (others - primary) * 100
        kids["count_flagged"] = None
    elif layer == ENTERPRISE:
        kids = kids.merge(enterprise_rates(store, enterprise_code or "", code, child_level), on="code", how="left")
        kids["count_flagged"] = None
    elif layer == RED:
        kids["value"] = kids["count_red_flag"]
        kids["count_flagged"] = kids["count_red_flag"]
    else:
        ind = store.read("SELECT subject_code AS code, value, count_flagged FROM mart_indicators "
                         "WHERE level = :l AND indicator_id = :i", {"l": child_level, "i": layer})
        kids = kids.merge(ind, on="code", how="left")
    keep = ["code", "name", "value", "count_flagged", "count_red_flag", "count_institutions"]
    return kids[keep]


def institutions_in(store, county_code: str, layer: str) -> pd.DataFrame:
    """Institutions of a county with coordinates, the layer's value and their red-flag score."""
    inst = store.read("""SELECT i.institution_code AS code, i.institution_name AS name, i.level, i.category,
                                i.is_primary, i.longitude, i.latitude, r.value AS score
                         FROM institutions i
                         LEFT JOIN mart_flags r ON r.subject_code = i.institution_code AND r.flag_id = 'red_flag'
                         WHERE i.county_code = :c ORDER BY i.institution_code""", {"c": county_code})
    if layer not in (GAP, RED, ENTERPRISE):
        vals = store.read("""SELECT m.subject_code AS code, m.value FROM mart_indicators m
                             JOIN institutions i ON i.institution_code = m.subject_code
                             WHERE m.level = 'institution' AND m.indicator_id = :i AND i.county_code = :c""",
                          {"i": layer, "c": county_code})
        inst = inst.merge(vals, on="code", how="left")
    else:
        inst["value"] = inst["score"]
    inst["is_primary"] = inst["is_primary"].astype(bool)
    return inst
