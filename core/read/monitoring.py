"""The monitoring pages' tables (supply, procurement, complaints), restricted to the view's area.

Everything reads the marts of the view: the complaints' working-day timeliness at T comes from
mart_complaints, the tiers from mart_enterprises, the primary-care balance from mart_areas.
"""
from __future__ import annotations

import pandas as pd

from core.policy.extract import LEVELS, PRIMARY_GROUP
from core.policy.indicators import rate
from core.present.i18n import percent_text
from core.read.units import described
from core.store.cache import cached
from core.store.view import View


@cached
def delivery_by_product(view: View) -> pd.DataFrame:
    frame = view.read(f"""
        SELECT p.product_code, p.generic_name, p.dosage_form, p.specification, p.category, e.enterprise_name AS manufacturer,
               SUM(m.rate_delivered_qty) AS delivered_qty, SUM(m.rate_order_qty) AS ordered_qty,
               COUNT(*) AS count_institutions
        FROM mart_inst_product m
        JOIN institutions i ON i.institution_code = m.institution_code
        JOIN products p ON p.product_code = m.product_code
        JOIN enterprises e ON e.enterprise_code = p.manufacturer_code
        WHERE m.view_id = :v AND m.agreed_qty > 0 AND {view.institutions_in_area()}
        GROUP BY p.product_code, p.generic_name, p.dosage_form, p.specification, p.category, e.enterprise_name""")
    frame["delivery_rate"] = rate(frame["delivered_qty"], frame["ordered_qty"])
    frame["distributors"] = frame["product_code"].map(_distributors(view)).fillna("—")
    return frame.sort_values(["delivery_rate", "product_code"], kind="stable").reset_index(drop=True)


def _distributors(view: View) -> dict[str, str]:
    """Per product: the distributors that delivered it to the area's agreement holders (other than its maker), each
    with its delivery rate of the product there, the worst first ("宏达医药配送 50.0%；…"): a product supplied badly
    by one distributor reads as that distributor's failure, not its maker's alone (二（三）)."""
    rows = view.read(f"""
        SELECT m.product_code, m.enterprise_code, e.enterprise_name, SUM(m.delivered_qty) AS delivered,
               SUM(m.ordered_qty) AS ordered
        FROM mart_enterprise_products m JOIN enterprises e ON e.enterprise_code = m.enterprise_code
        JOIN products p ON p.product_code = m.product_code
        JOIN institutions i ON i.institution_code = m.institution_code
        WHERE m.view_id = :v AND m.enterprise_code <> p.manufacturer_code AND {view.institutions_in_area()}
        GROUP BY m.product_code, m.enterprise_code, e.enterprise_name""")
    rows["rate"] = rate(rows["delivered"], rows["ordered"])
    rows = rows.sort_values(["product_code", "rate", "enterprise_name", "enterprise_code"], kind="stable",
                            na_position="last")
    # Each distributor apart, by its code; a name two of them share is told apart by the code.
    shared = rows.groupby("enterprise_name")["enterprise_code"].transform("nunique") > 1
    names = rows["enterprise_name"].where(~shared, rows["enterprise_name"] + "（" + rows["enterprise_code"] + "）")
    said = [f"{name} {percent_text(r)}" if r == r else name for name, r in zip(names, rows["rate"])]
    return pd.Series(said, index=rows["product_code"].to_numpy()).groupby(level=0).agg("；".join).to_dict()


@cached
def enterprise_tiers(view: View) -> pd.DataFrame:
    """Tiers of the enterprises that serve the area (a tier is the enterprise's, over the whole province)."""
    frame = view.read(f"""SELECT m.enterprise_code, m.delivered_qty, m.ordered_qty, m.delivery_rate, m.count_complaints,
                                 m.count_timely, m.timely_rate, m.delivery_tier, m.complaint_tier, m.tier,
                                 m.count_uncooperative, m.cooperation_tier,
                                 e.enterprise_name, e.role
                          FROM mart_enterprises m JOIN enterprises e ON e.enterprise_code = m.enterprise_code
                          WHERE m.view_id = :v AND m.enterprise_code IN {view.enterprises_in_area()}""")
    order = {"D": 0, "C": 1, "B": 2, "A": 3}
    frame["tier_rank"] = frame["tier"].map(order).fillna(4)
    return frame.sort_values(["tier_rank", "delivery_rate", "enterprise_code"], kind="stable") \
        .drop(columns="tier_rank").reset_index(drop=True)


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Area rows of mart_areas with the primary and other institutions' delivery rates and the gap in points."""
    frame = frame.assign(primary_rate=rate(frame["primary_delivered_qty"], frame["primary_ordered_qty"]),
                         others_rate=rate(frame["others_delivered_qty"], frame["others_ordered_qty"]))
    gap = (frame["others_rate"] - frame["primary_rate"]) * 100
    return frame.assign(gap_points=gap.mask(gap.abs() < 0.05, 0.0))  # a gap that reads 0.0 is none, never "-0.0"


@cached
def primary_balance(view: View) -> pd.DataFrame:
    """Primary against other institutions' delivery rates for the area and the areas below it."""
    frame = view.read("""SELECT a.region_code, a.region_level, a.primary_delivered_qty, a.primary_ordered_qty,
                                 a.others_delivered_qty, a.others_ordered_qty, a.count_institutions, a.count_red_flag,
                                 r.region_name
                          FROM mart_areas a JOIN regions r ON r.region_code = a.region_code
                          WHERE a.view_id = :v AND (a.region_code = :area OR r.parent_code = :area)""")
    frame = with_rates(frame)
    frame["is_flagged"] = frame["region_code"].isin(_flagged(view, "primary_care_gap"))
    return frame.sort_values("gap_points", ascending=False, kind="stable").reset_index(drop=True)


def _flagged(view: View, flag_id: str) -> set[str]:
    """The areas holding an area flag (primary_care_gap, level_gap)."""
    return set(view.read("SELECT subject_code FROM mart_flags WHERE view_id = :v AND flag_id = :f", {"f": flag_id})
               ["subject_code"])


LEVEL_COLUMNS = {level: f"rate_{n}" for n, level in enumerate((*LEVELS, PRIMARY_GROUP), start=1)}  # rate_1 = 三级


@cached
def level_balance(view: View) -> pd.DataFrame:
    """Delivery rates by institution level (三级, 二级, 一级, 未定级) and of primary institutions (基层), for the area and
    the areas below it (不同等级医疗机构供应不平衡, 二（五））, with the widest gap between two levels in points."""
    rows = _level_rates(view, "(a.region_code = :area OR r.parent_code = :area)")
    if rows.empty:
        return pd.DataFrame(columns=["region_code", "region_name", "region_level", *LEVEL_COLUMNS.values(),
                                     "level_gap_points", "is_flagged"])
    # An area whose rates are all missing (its orders all in the grace days) keeps its row, its rates "—".
    wide = rows.set_index(["region_code", "region_name", "region_level", "level"])["rate"].unstack("level") \
        .reindex(columns=list(LEVEL_COLUMNS)).rename(columns=LEVEL_COLUMNS)
    levels = wide[[LEVEL_COLUMNS[x] for x in LEVELS]].astype(float)
    gap = (levels.max(axis=1) - levels.min(axis=1)) * 100
    wide["level_gap_points"] = gap.where(levels.notna().sum(axis=1) >= 2)  # no gap with one level (not 0)
    wide = wide.reset_index()
    wide["is_flagged"] = wide["region_code"].isin(_flagged(view, "level_gap"))
    wide["is_area"] = wide["region_code"] == view.area
    return wide.sort_values(["is_area", "level_gap_points"], ascending=[False, False], kind="stable") \
        .drop(columns="is_area").reset_index(drop=True)


def _level_rates(view: View, where: str, params: dict | None = None) -> pd.DataFrame:
    """mart_area_levels' rows of the regions `where` selects (on `a`, the mart, and `r`, the regions), with indicator
    2's rate of each level (and of 基层)."""
    rows = view.read(f"""SELECT a.region_code, r.region_name, r.region_level, a.level, a.delivered_qty, a.ordered_qty
                         FROM mart_area_levels a JOIN regions r ON r.region_code = a.region_code
                         WHERE a.view_id = :v AND {where}""", params)
    return rows.assign(rate=rate(rows["delivered_qty"], rows["ordered_qty"]))


def levels_apart(view: View, regions: list[str]) -> dict[str, tuple[str, str]]:
    """Per region: its best and its worst supplied institution level (三级, 二级, 一级, 未定级) by indicator 2's rate,
    over the levels with orders (what a level_gap flag's widest gap lies between)."""
    if not regions:
        return {}
    marks = ", ".join(f":r{n}" for n in range(len(regions)))
    rows = _level_rates(view, f"a.region_code IN ({marks})", {f"r{n}": r for n, r in enumerate(regions)})
    rows = rows[rows["level"].isin(LEVELS)].dropna(subset=["rate"])
    rows = rows.sort_values(["region_code", "rate"], kind="stable")
    ends = rows.groupby("region_code")["level"].agg(["last", "first"])
    return {code: (high, low) for code, high, low in zip(ends.index, ends["last"], ends["first"])}


@cached
def institution_flags(view: View, flag_ids: tuple[str, ...], lang: str = "zh") -> pd.DataFrame:
    """Flags of institutions in the area, with names and what they are about (in `lang`)."""
    marks = ", ".join(f":f{n}" for n in range(len(flag_ids)))
    frame = view.read(f"""
        SELECT f.flag_id, f.severity, f.subject_code AS institution_code, i.institution_name, k.region_name AS county_name,
               f.detail_code, p.generic_name AS detail_name, f.value, f.threshold
        FROM mart_flags f JOIN institutions i ON i.institution_code = f.subject_code
        JOIN regions k ON k.region_code = i.county_code
        LEFT JOIN products p ON p.product_code = f.detail_code
        WHERE f.view_id = :v AND f.level = 'institution' AND f.flag_id IN ({marks}) AND {view.institutions_in_area()}
        ORDER BY f.flag_id, f.subject_code, f.detail_code""", {f"f{n}": f for n, f in enumerate(flag_ids)})
    return described(view, frame, lang)


@cached
def complaint_table(view: View) -> pd.DataFrame:
    """Complaints raised in the area by T (of the view's category), with their working-day timeliness at T."""
    return view.read(f"""SELECT c.complaint_id, c.institution_code, c.enterprise_code, c.product_code, c.issue_type,
                                c.raised_date, c.reply_date, c.promised_date, c.resolved_date,
                                i.institution_name, e.enterprise_name, m.reply_workdays, m.promise_workdays,
                                m.reply_late, m.unresolved, m.timely, m.counted
                         FROM mart_complaints m JOIN complaints c ON c.complaint_id = m.complaint_id
                         JOIN institutions i ON i.institution_code = c.institution_code
                         JOIN enterprises e ON e.enterprise_code = c.enterprise_code
                         WHERE m.view_id = :v AND {view.institutions_in_area()} ORDER BY c.complaint_id""").astype(
        {"reply_late": bool, "unresolved": bool, "timely": bool, "counted": bool})


@cached
def complaints_by_enterprise(view: View) -> pd.DataFrame:
    """Per enterprise: complaints raised in the area, late replies, unresolved, and the timely rate."""
    complaints = complaint_table(view)
    counted = complaints[complaints["counted"]]
    g = complaints.groupby(["enterprise_code", "enterprise_name"]).agg(
        count_complaints=("complaint_id", "count"), count_reply_late=("reply_late", "sum"),
        count_unresolved=("unresolved", "sum")).reset_index()
    timely = counted.groupby("enterprise_code").agg(count_counted=("complaint_id", "count"), count_timely=("timely", "sum"))
    g = g.merge(timely, on="enterprise_code", how="left").fillna({"count_counted": 0, "count_timely": 0}).astype(
        {"count_counted": int, "count_timely": int})
    g["timely_rate"] = rate(g["count_timely"], g["count_counted"])
    return g.sort_values("timely_rate", kind="stable").reset_index(drop=True)
