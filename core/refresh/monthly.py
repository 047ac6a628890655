"""Monthly series by institution and by area, and snapshots of the headline figures at the previous month's end.

The series are sums by the month an order was placed (or a complaint raised), per institution from the one pass
over the orders, and rolled up to county, city and province; the registry's indicators with a monthly series
(core.policy.indicators, `Indicator.monthly`) are formed from the sums by `rate()`, as at T.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.policy.indicators import indicator
from core.refresh.facts import Facts
from core.refresh.rollup import one_per_region, rollup

SUMS = ["agreed_order_qty", "agreed_delivered_qty", "selected_qty", "nonselected_qty", "count_orders",
        "count_complaints", "count_timely"]


def _orders_by_month(f: Facts) -> pd.DataFrame:
    """Institution x month from the one pass: the delivery-rate window of agreed pairs (orders placed by T minus
    the grace days, delivered by T: indicator 2's parts), selected and non-selected purchases, orders. What each
    institution x product is (agreed, its product's status) is found once per pair, then taken by pair id, and
    the rows are summed by institution x month id."""
    m = f.source.by_month()
    pairs = f.source.ip_keys
    agreed = f.agreements[f.agreements["agreed_qty"] > 0]
    is_agreed = pd.MultiIndex.from_frame(pairs[["institution_code", "product_code"]]).isin(
        pd.MultiIndex.from_frame(agreed[["institution_code", "product_code"]]))
    status = pairs["product_code"].map(f.products.set_index("product_code")["status"])
    status = status.where(status != "非中选", status.where(pairs["product_code"].isin(f.grouped_nonselected))).to_numpy()
    known = pairs["institution_code"].isin(f.institutions["institution_code"])
    inst_id, insts = pd.factorize(pairs["institution_code"].where(known), use_na_sentinel=True)
    month_id, months = pd.factorize(m["order_month"], sort=True)
    ip = m["ip"].to_numpy()
    row_inst = inst_id[ip]
    kept = row_inst >= 0
    key = (row_inst * len(months) + month_id)[kept]
    size = len(insts) * len(months)

    def total(values) -> np.ndarray:
        return np.bincount(key, np.asarray(values, dtype=float)[kept], size)
    sums = {"agreed_order_qty": total(m["rate_order_qty"].where(is_agreed[ip], 0.0)),
            "agreed_delivered_qty": total(m["rate_delivered_qty"].where(is_agreed[ip], 0.0)),
            "selected_qty": total(m["qty"].where(status[ip] == "中选", 0.0)),
            "nonselected_qty": total(m["qty"].where(status[ip] == "非中选", 0.0)),
            "count_orders": total(m["count_orders"])}
    # A later round's orders placed before its start are not its round's (Facts.early_orders): taken off.
    early = f.early_orders
    if len(early):
        at = pd.Series(np.arange(len(insts)), index=insts).reindex(early["institution_code"]).to_numpy()
        month_at = pd.Series(np.arange(len(months)), index=months).reindex(early["order_month"]).to_numpy()
        where = ~(np.isnan(at) | np.isnan(month_at))
        early_key = (at[where] * len(months) + month_at[where]).astype(np.int64)
        agreed_early = pd.MultiIndex.from_frame(early[["institution_code", "product_code"]]).isin(
            pd.MultiIndex.from_frame(agreed[["institution_code", "product_code"]]))[where]
        chosen = early["product_code"].map(f.products.set_index("product_code")["status"]).eq("中选").to_numpy()[where]
        part = early[where]
        for name, values, keep in (("agreed_order_qty", part["rate_order_qty"], agreed_early),
                                   ("agreed_delivered_qty", part["rate_delivered_qty"], agreed_early),
                                   ("selected_qty", part["purchased_qty"], chosen),
                                   ("count_orders", part["count_orders"], np.ones(len(part), dtype=bool))):
            sums[name] = sums[name] - np.bincount(early_key, np.where(keep, values.to_numpy(float), 0.0), size)
    present = np.flatnonzero(np.bincount(key, minlength=size))
    labels = np.array([f"{int(v) // 100:04d}-{int(v) % 100:02d}" for v in months], dtype=object)
    out = pd.DataFrame({"institution_code": pd.Series(insts[present // len(months)], dtype=object),
                        "month": pd.Series(labels[present % len(months)], dtype=object)})
    for name, values in sums.items():
        out[name] = values[present]
    return out


def institution_series(f: Facts) -> pd.DataFrame:
    """Per institution and month: the sums of the series (orders by the month they were placed, complaints
    counted for timeliness by the month they were raised)."""
    orders = _orders_by_month(f)
    comp = f.complaint_timeliness()
    comp = comp[comp["counted"]].merge(f.complaints[["complaint_id", "raised_date"]], on="complaint_id")
    comp = comp[comp["institution_code"].isin(f.institutions["institution_code"])]
    comp["month"] = [d.strftime("%Y-%m") for d in comp["raised_date"]]
    comp = comp.groupby(["institution_code", "month"]).agg(count_complaints=("complaint_id", "count"),
                                                           count_timely=("timely", "sum")).reset_index()
    for frame in (orders, comp):  # empty frames come back with numeric keys
        frame[["institution_code", "month"]] = frame[["institution_code", "month"]].astype(object)
    base = orders.merge(comp, on=["institution_code", "month"], how="outer").fillna(0)
    for c in ("count_orders", "count_complaints", "count_timely"):
        base[c] = base[c].astype(int)
    return base[["institution_code", "month", *SUMS]].sort_values(["institution_code", "month"]).reset_index(drop=True)


def series(f: Facts, by_institution: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per county, city and the province and month: the institutions' sums (`by_institution`, when made)."""
    base = institution_series(f) if by_institution is None else by_institution
    county = base["institution_code"].map(f.institutions.set_index("institution_code")["county_code"])
    base = base.assign(county_code=county).groupby(["county_code", "month"], as_index=False)[SUMS].sum()
    cities = f.store.read("SELECT region_code AS county_code, prefecture_code AS city_code FROM regions "
                          "WHERE region_level = 'county'")
    base = base.merge(cities, on="county_code", how="left").assign(province_code=f.store.province_code)
    out = []
    for level, key in (("county", "county_code"), ("city", "city_code"), ("province", "province_code")):
        g = base.groupby([key, "month"], as_index=False)[SUMS].sum().rename(columns={key: "region_code"})
        out.append(g.assign(region_level=level))
    result = one_per_region(pd.concat(out, ignore_index=True), ["region_code", "month"])
    for c in ("count_orders", "count_complaints", "count_timely"):
        result[c] = result[c].astype(int)
    return result


HEADLINE = ("delivery", "progress", "nonselected", "complaint")


def _planned(f: Facts) -> dict[tuple[str, str], float]:
    """Per area (level, code): the purchases the agreements counted by indicator 4 ask for by T, each agreed volume
    times its own schedule (with one period in force: the agreed volumes times the schedule)."""
    rows = indicator("progress").counted(f.inst_product)
    rows = rows.merge(f.institutions[["institution_code", "county_code", "city_code"]], on="institution_code")
    asked = rows["agreed_qty"] * rows["schedule"]
    out = {("province", f.store.province_code): float(asked.sum())}
    for level, key in (("county", "county_code"), ("city", "city_code")):
        out.update({(level, code): float(v) for code, v in asked.groupby(rows[key]).sum().items()})
    return out


def snapshot(store, f: Facts, flags: pd.DataFrame, tiers: pd.DataFrame, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The headline figures of every area at f's as-of date: indicator values (progress as completion
    over the schedule), red-flag institutions, and for the province tier C/D enterprises. `values`: the
    rollup of f's indicators when already made."""
    if values is None:  # the headline indicators of the areas alone
        values = rollup(f, flags, f.complaint_timeliness(), HEADLINE, levels=("county", "city", "province"))
    values = values[(values["level"] != "institution") & values["indicator_id"].isin(HEADLINE)].copy()
    progress = values["indicator_id"] == "progress"
    if f.period_count == 1:
        values.loc[progress, "value"] = values.loc[progress, "value"] / f.schedule if f.schedule > 0 else None
    else:  # rounds of different periods: purchases over what each agreement's own schedule asks by now
        planned = _planned(f)
        asked = [planned.get((lv, code)) for lv, code in zip(values.loc[progress, "level"],
                                                              values.loc[progress, "subject_code"])]
        values.loc[progress, "value"] = [n / a if a else None for n, a in zip(values.loc[progress, "numerator"], asked)]
    rows = values.rename(columns={"subject_code": "region_code", "indicator_id": "metric"})
    rows = one_per_region(rows, ["region_code", "metric"])[["region_code", "metric", "value"]]
    red = flags.loc[flags["flag_id"] == "red_flag", ["subject_code"]].merge(
        f.institutions, left_on="subject_code", right_on="institution_code")
    counts = [{"region_code": store.province_code, "metric": "count_red_flag", "value": float(len(red))},
              {"region_code": store.province_code, "metric": "count_tier_cd",
               "value": float(tiers["tier"].isin(["C", "D"]).sum())}]
    areas = store.read("SELECT region_code FROM regions WHERE region_level IN ('city', 'county')")["region_code"]
    # An institution counts once in its county and once in its prefecture, which may be the county itself.
    by_area = pd.concat([red["county_code"], red["city_code"].where(red["city_code"] != red["county_code"])]).value_counts()
    counts += [{"region_code": c, "metric": "count_red_flag", "value": float(by_area.get(c, 0))} for c in areas]
    return pd.concat([rows, pd.DataFrame(counts)], ignore_index=True).assign(as_of=f.as_of)
