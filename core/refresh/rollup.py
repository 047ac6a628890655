"""Indicators rolled up from institution to county, city and province.

Each indicator is a sum of numerators over a sum of denominators (never an average of
ratios); an empty denominator gives no value. Beneath each figure: how many entities
carry a flag of that indicator.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from core.policy.extract import PRIMARY_GROUP

from core.policy import indicators as I
from core.policy.indicators import FLAG_BY_ID
from core.refresh.facts import Facts
from core.refresh.flags import group_shares

ORDER_FLAGS = ("offline_purchase", "abnormal_order", "receipt_confirmation_late")
LEVELS = ("institution", "county", "city", "province")


def _orders(f: Facts, flags: pd.DataFrame, complaints: pd.DataFrame) -> pd.DataFrame:
    """Per institution: its orders, and those carrying an order flag (an order counts once, whatever its flags)."""
    flagged = (flags[flags["flag_id"].isin(ORDER_FLAGS)].drop_duplicates(["subject_code", "detail_code"])
               .groupby("subject_code").size())
    out = f.inst_product.groupby("institution_code", as_index=False)["count_orders"].sum()
    return out.assign(count_flagged_orders=out["institution_code"].map(flagged).fillna(0))


# The rows an indicator's parts are summed over (Indicator.source), each with an institution_code.
SOURCES = {
    "agreements": lambda f, flags, complaints: f.agreements,
    "inst_product": lambda f, flags, complaints: f.inst_product,
    "complaints": lambda f, flags, complaints: complaints,
    "groups": lambda f, flags, complaints: group_shares(f),
    "orders": _orders,
}


def institution_parts(f: Facts, flags: pd.DataFrame, complaints: pd.DataFrame,
                      indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Numerator and denominator of every indicator (or of the given ones) for every institution that has one,
    summed as the registry declares: its source's rows that count, the columns of each part."""
    sources: dict[str, pd.DataFrame] = {}
    out = []
    for ind in I.INDICATORS:
        if indicators is not None and ind.id not in indicators:
            continue
        if ind.source not in sources:
            sources[ind.source] = SOURCES[ind.source](f, flags, complaints)
        rows = ind.counted(sources[ind.source])
        num, den = ind.parts(rows)
        g = pd.DataFrame({"institution_code": rows["institution_code"], "numerator": num, "denominator": den}) \
            .groupby("institution_code", as_index=False)[["numerator", "denominator"]].sum()
        out.append(g.assign(indicator_id=ind.id)[["institution_code", "indicator_id", "numerator", "denominator"]])
    return pd.concat(out, ignore_index=True)


def flagged_counts(flags: pd.DataFrame, complaints: pd.DataFrame) -> pd.DataFrame:
    """Per institution and indicator: 1 when the institution carries a flag of it; for
    complaints, the number of flagged complaints the institution raised."""
    inst = flags[(flags["level"] == "institution") & flags["flag_id"].map(lambda x: FLAG_BY_ID[x].indicator > 0)]
    marks = inst.assign(indicator_id=inst["flag_id"].map(I.indicator_of))
    marks = marks.drop_duplicates(["subject_code", "indicator_id"]).assign(count_flagged=1)
    marks = marks.rename(columns={"subject_code": "institution_code"})[["institution_code", "indicator_id", "count_flagged"]]
    comp = flags[flags["flag_id"].isin(["complaint_reply_late", "complaint_unresolved"])]
    raised_by = complaints.set_index("complaint_id")["institution_code"]
    comp = comp.drop_duplicates("detail_code").assign(institution_code=lambda x: x["detail_code"].map(raised_by))
    comp = comp.groupby("institution_code").size().rename("count_flagged").reset_index().assign(indicator_id="complaint")
    return pd.concat([marks, comp], ignore_index=True)


def rollup(f: Facts, flags: pd.DataFrame, complaints: pd.DataFrame, indicators: Iterable[str] | None = None,
           levels: Iterable[str] = LEVELS) -> pd.DataFrame:
    """Rows of level, subject_code, indicator_id, numerator, denominator, value, count_flagged; of every
    indicator and level, or of the given ones."""
    parts = institution_parts(f, flags, complaints, indicators)
    counts = flagged_counts(flags, complaints)
    if indicators is not None:
        counts = counts[counts["indicator_id"].isin(indicators)]
    base = parts.merge(counts, on=["institution_code", "indicator_id"], how="outer")
    base[["numerator", "denominator", "count_flagged"]] = base[["numerator", "denominator", "count_flagged"]].fillna(0)
    base = base.merge(f.institutions[["institution_code", "county_code", "city_code"]], on="institution_code", how="left")
    base["province_code"] = f.store.province_code
    out = []
    for level, key in zip(LEVELS, ("institution_code", "county_code", "city_code", "province_code")):
        if level not in levels:
            continue
        g = base.groupby([key, "indicator_id"], as_index=False)[["numerator", "denominator", "count_flagged"]].sum()
        out.append(g.rename(columns={key: "subject_code"}).assign(level=level))
    result = pd.concat(out, ignore_index=True)
    result["value"] = I.rate(result["numerator"], result["denominator"])
    result["count_flagged"] = result["count_flagged"].astype(int)
    return result[["level", "subject_code", "indicator_id", "numerator", "denominator", "value", "count_flagged"]]


def enterprise_rows(tiers: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Delivery and complaint indicators of enterprises, with flagged counts."""
    comp_flags = flags[flags["flag_id"].isin(["complaint_reply_late", "complaint_unresolved"])]
    n_comp = comp_flags.drop_duplicates("detail_code").groupby("subject_code").size()
    rows = []
    for r in tiers.itertuples(index=False):
        for ind, num, den, flagged in (
                ("delivery", r.delivered_qty, r.ordered_qty, int(r.delivery_tier in ("B", "C", "D"))),
                ("complaint", r.count_timely, r.count_complaints, int(n_comp.get(r.enterprise_code, 0)))):
            if den == den and den is not None:
                rows.append(("enterprise", r.enterprise_code, ind, float(num), float(den), I.rate(float(num), float(den)),
                             flagged))
    return pd.DataFrame(rows, columns=["level", "subject_code", "indicator_id", "numerator", "denominator", "value",
                                       "count_flagged"])


def areas(f: Facts, flags: pd.DataFrame) -> pd.DataFrame:
    """Per county, city and the province: the delivery of primary institutions and of the secondary and tertiary
    ones (the two sides of primary_care_gap, I.gap_side), red-flag counts."""
    ip = f.inst_product
    a = ip[(ip["agreed_qty"] > 0)].merge(f.institutions, on="institution_code")
    a = a.assign(side=I.gap_side(a))
    red = set(flags.loc[flags["flag_id"] == "red_flag", "subject_code"])
    inst = f.institutions.assign(red=lambda x: x["institution_code"].isin(red).astype(int),
                                 province_code=f.store.province_code)
    a = a.assign(province_code=f.store.province_code)
    out = []
    for level, key in (("county", "county_code"), ("city", "city_code"), ("province", "province_code")):
        prim = a[a["side"] == "primary"].groupby(key)[["rate_delivered_qty", "rate_order_qty"]].sum()
        oth = a[a["side"] == "others"].groupby(key)[["rate_delivered_qty", "rate_order_qty"]].sum()
        counts = inst.groupby(key).agg(count_institutions=("institution_code", "count"), count_red_flag=("red", "sum"))
        frame = counts.join(prim.add_prefix("p_"), how="left").join(oth.add_prefix("o_"), how="left").fillna(0.0)
        out.append(pd.DataFrame({
            "region_code": frame.index, "region_level": level,
            "primary_delivered_qty": frame["p_rate_delivered_qty"], "primary_ordered_qty": frame["p_rate_order_qty"],
            "others_delivered_qty": frame["o_rate_delivered_qty"], "others_ordered_qty": frame["o_rate_order_qty"],
            "count_institutions": frame["count_institutions"].astype(int), "count_red_flag": frame["count_red_flag"].astype(int),
        }))
    return one_per_region(pd.concat(out, ignore_index=True), ["region_code"])


def area_levels(f: Facts) -> pd.DataFrame:
    """Per county, city and the province, and per institution level (三级, 二级, 一级, 未定级) and the primary
    institutions (基层): delivered and ordered quantities of indicator 2 and the institutions counted (不同等级医疗机构
    供应不平衡, 二（五））. A primary institution counts under its level too."""
    ip = f.inst_product
    a = ip[ip["agreed_qty"] > 0].merge(f.institutions, on="institution_code").assign(province_code=f.store.province_code)
    a = pd.concat([a.assign(group=a["level"]), a[a["is_primary"]].assign(group=PRIMARY_GROUP)], ignore_index=True)
    out = []
    for level, key in (("county", "county_code"), ("city", "city_code"), ("province", "province_code")):
        sums = a.groupby([key, "group"]).agg(delivered_qty=("rate_delivered_qty", "sum"),
                                             ordered_qty=("rate_order_qty", "sum"),
                                             count_institutions=("institution_code", "nunique")).reset_index()
        out.append(sums.rename(columns={key: "region_code", "group": "level"}))
    frame = pd.concat(out, ignore_index=True).astype({"count_institutions": int})
    return one_per_region(frame, ["region_code", "level"])


def one_per_region(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Area rows keyed by region code alone, one per region: a county-level unit that stands at the prefecture level
    as itself (core.policy.regions.prefecture_of) is summed at both levels over the same institutions, so the two rows are
    alike and its county row is kept (the rows come county first)."""
    return frame.drop_duplicates(key, keep="first").reset_index(drop=True)
