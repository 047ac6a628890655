"""The monitoring pages' tables (supply, procurement, complaints), restricted to an area.

Everything reads the marts; complaints are few, so their timeliness is worked out from the
complaints table with the working-day calendar.
"""
from __future__ import annotations

import pandas as pd

from .facts import Facts
from .indicators import FLAG_BY_ID, SEVERITY_ZH


def _in_area(area_code: str, province_code: str, alias: str = "i") -> tuple[str, dict]:
    if area_code == province_code:
        return "1 = 1", {}
    return (f"({alias}.county_code = :area OR {alias}.county_code IN "
            f"(SELECT region_code FROM regions WHERE parent_code = :area))", {"area": area_code})


def delivery_by_product(store, area_code: str) -> pd.DataFrame:
    cond, params = _in_area(area_code, store.province_code)
    frame = store.read(f"""
        SELECT p.product_code, p.generic_name, p.dosage_form, p.specification, e.enterprise_name AS manufacturer,
               SUM(m.rate_delivered_qty) AS delivered_qty, SUM(m.rate_order_qty) AS ordered_qty,
               COUNT(*) AS count_institutions
        FROM mart_inst_product m
        JOIN institutions i ON i.institution_code = m.institution_code
        JOIN products p ON p.product_code = m.product_code
        JOIN enterprises e ON e.enterprise_code = p.manufacturer_code
        WHERE m.agreed_qty > 0 AND {cond}
        GROUP BY p.product_code, p.generic_name, p.dosage_form, p.specification, e.enterprise_name""", params)
    frame["delivery_rate"] = frame["delivered_qty"] / frame["ordered_qty"].where(frame["ordered_qty"] > 0)
    return frame.sort_values("delivery_rate", kind="stable").reset_index(drop=True)


def enterprise_tiers(store) -> pd.DataFrame:
    frame = store.read("""SELECT m.*, e.enterprise_name, e.role FROM mart_enterprises m
                          JOIN enterprises e ON e.enterprise_code = m.enterprise_code""")
    order = {"D": 0, "C": 1, "B": 2, "A": 3}
    frame["tier_rank"] = frame["tier"].map(order).fillna(4)
    return frame.sort_values(["tier_rank", "delivery_rate"], kind="stable").drop(columns="tier_rank").reset_index(drop=True)


def primary_balance(store, area_code: str) -> pd.DataFrame:
    """Primary against other institutions' delivery rates for the area and the areas below it."""
    frame = store.read("""SELECT a.*, r.region_name, r.parent_code FROM mart_areas a
                          JOIN regions r ON r.region_code = a.region_code
                          WHERE a.region_code = :a OR r.parent_code = :a""", {"a": area_code})
    frame["primary_rate"] = frame["primary_delivered_qty"] / frame["primary_ordered_qty"].where(frame["primary_ordered_qty"] > 0)
    frame["others_rate"] = frame["others_delivered_qty"] / frame["others_ordered_qty"].where(frame["others_ordered_qty"] > 0)
    frame["gap_points"] = (frame["others_rate"] - frame["primary_rate"]) * 100
    gaps = set(store.read("SELECT subject_code FROM mart_flags WHERE flag_id = 'primary_care_gap'")["subject_code"])
    frame["is_flagged"] = frame["region_code"].isin(gaps)
    return frame.sort_values("gap_points", ascending=False, kind="stable").reset_index(drop=True)


def institution_flags(store, area_code: str, flag_ids: tuple[str, ...]) -> pd.DataFrame:
    """Flags of institutions in the area, with names and what they are about."""
    cond, params = _in_area(area_code, store.province_code)
    marks = ", ".join(f":f{n}" for n in range(len(flag_ids)))
    frame = store.read(f"""
        SELECT f.flag_id, f.severity, f.subject_code AS institution_code, i.institution_name, k.region_name AS county_name,
               f.detail_code, f.value, f.threshold
        FROM mart_flags f JOIN institutions i ON i.institution_code = f.subject_code
        JOIN regions k ON k.region_code = i.county_code
        WHERE f.level = 'institution' AND f.flag_id IN ({marks}) AND {cond}
        ORDER BY f.flag_id, f.subject_code, f.detail_code""", {**params, **{f"f{n}": f for n, f in enumerate(flag_ids)}})
    frame["flag_name"] = frame["flag_id"].map(lambda f: FLAG_BY_ID[f].zh)
    frame["severity_zh"] = frame["severity"].map(SEVERITY_ZH)
    frame["clause"] = frame["flag_id"].map(lambda f: FLAG_BY_ID[f].clause)
    return frame


def complaint_table(store, area_code: str) -> pd.DataFrame:
    """Complaints raised in the area with their working-day timeliness at T."""
    f = Facts(store)
    timeliness = f.complaint_timeliness()
    cond, params = _in_area(area_code, store.province_code)
    raw = store.read(f"""SELECT c.*, i.institution_name, e.enterprise_name FROM complaints c
                         JOIN institutions i ON i.institution_code = c.institution_code
                         JOIN enterprises e ON e.enterprise_code = c.enterprise_code WHERE {cond}""", params)
    return raw.merge(timeliness.drop(columns=["institution_code", "enterprise_code"]), on="complaint_id", how="inner")


def complaints_by_enterprise(complaints: pd.DataFrame) -> pd.DataFrame:
    counted = complaints[complaints["counted"]]
    g = complaints.groupby(["enterprise_code", "enterprise_name"]).agg(
        count_complaints=("complaint_id", "count"), count_reply_late=("reply_late", "sum"),
        count_unresolved=("unresolved", "sum")).reset_index()
    timely = counted.groupby("enterprise_code").agg(count_counted=("complaint_id", "count"), count_timely=("timely", "sum"))
    g = g.merge(timely, on="enterprise_code", how="left").fillna({"count_counted": 0, "count_timely": 0})
    g["timely_rate"] = g["count_timely"] / g["count_counted"].where(g["count_counted"] > 0)
    return g.sort_values("timely_rate", kind="stable").reset_index(drop=True)
