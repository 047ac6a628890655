"""Flags at the as-of date T: the rules of ../shared/design/indicators.md, one function each.

Orders are aggregated inside the database, once, to institution x product
(`facts.inst_product`); order-level flags select only candidate orders in SQL and apply
the exact working-day rule to those. Every function returns rows of
flag_id, severity, level, subject_code, detail_code, value, threshold.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from core.policy import cases
from core.policy import indicators as I
from core.policy.indicators import FLAG_BY_ID, SEVERITY_WEIGHT
from core.refresh.facts import Facts, once

COLUMNS = ["flag_id", "severity", "level", "subject_code", "detail_code", "value", "threshold"]


def _rows(frame: pd.DataFrame, flag_id: str, subject: str, detail: str, value: str, threshold) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.DataFrame({
        "flag_id": flag_id, "severity": frame["severity"] if "severity" in frame else "warning", "level": "institution",
        "subject_code": frame[subject], "detail_code": frame[detail] if detail else "", "value": frame[value],
        "threshold": threshold if not isinstance(threshold, str) else frame[threshold],
    })
    return out[COLUMNS]


def _grade(values: pd.Series, cuts: list[tuple[float, str]], default: str = "warning") -> pd.Series:
    """Severity by the first cut the value falls below (cuts from lowest up)."""
    out = pd.Series(default, index=values.index, dtype=object)
    for cut, name in reversed(cuts):
        out[values < cut] = name
    return out


def _hits(frame: pd.DataFrame, keep: pd.Series, key: str = "product_code", **values: pd.Series) -> pd.DataFrame:
    """The rows of `frame` where `keep` holds: institution, `key` and the given values. Only those rows are
    copied (a refresh's frames have tens of thousands of rows, few of them flagged)."""
    return frame.loc[keep, ["institution_code", key]].assign(**{name: v[keep] for name, v in values.items()})


def report_volume_drop(f: Facts) -> pd.DataFrame:
    s, a = f.settings, f.agreements
    ratio = I.indicator("report").value(a)
    hit = _hits(a, (a["prior_year_qty"] > 0) & (ratio < s["report_drop_ratio"]), ratio=ratio)  # exactly 80% is not below 0.8
    hit["severity"] = _grade(hit["ratio"], [(s["report_drop_serious_ratio"], "serious")])
    return _rows(hit, "report_volume_drop", "institution_code", "product_code", "ratio", s["report_drop_ratio"])


def delivery_rate_low(f: Facts) -> pd.DataFrame:
    s, ip = f.settings, f.inst_product
    rate = I.indicator("delivery").value(ip)
    hit = _hits(ip, (ip["agreed_qty"] > 0) & (ip["rate_order_qty"] > 0) & (rate < s["delivery_rate_warning"]), rate=rate)
    hit["severity"] = _grade(hit["rate"], [(s["delivery_rate_severe"], "severe"), (s["delivery_rate_serious"], "serious")])
    return _rows(hit, "delivery_rate_low", "institution_code", "product_code", "rate", s["delivery_rate_warning"])


def progress_behind_schedule(f: Facts) -> pd.DataFrame:
    """Each agreement's completion against its own schedule (rounds of different dates each run on their own)."""
    ip = f.inst_product
    completion = I.indicator("progress").value(ip)
    hit = _hits(ip, (ip["agreed_qty"] > 0) & (completion < ip["schedule"]), completion=completion,
                schedule=ip["schedule"])
    serious = hit["completion"] < f.settings["progress_serious_ratio"] * hit["schedule"]
    hit["severity"] = serious.map({True: "serious", False: "warning"}).astype(object)
    return _rows(hit, "progress_behind_schedule", "institution_code", "product_code", "completion", "schedule")


def purchase_over_4x(f: Facts) -> pd.DataFrame:
    k, ip = f.settings["over_purchase_multiple"], f.inst_product
    multiple = I.indicator("progress").value(ip)  # completion, as a multiple
    hit = _hits(ip, (ip["agreed_qty"] > 0) & (multiple > k), multiple=multiple)
    return _rows(hit, "purchase_over_4x", "institution_code", "product_code", "multiple", k)


def unreported_purchase(f: Facts) -> pd.DataFrame:
    """Selected products bought without an agreement, as much as the median agreement of institutions of the
    same level for the product, or more. The medians are taken by whole-number ids of product x level."""
    ip = f.inst_product
    product_id, _products = pd.factorize(ip["product_code"].to_numpy(dtype=object))
    level_id, levels = pd.factorize(ip["institution_code"].map(f.institutions.set_index("institution_code")["level"]))
    key = pd.Series(np.where(level_id >= 0, product_id * max(len(levels), 1) + level_id, -1), index=ip.index)
    held = (ip["agreed_qty"] > 0) & (key >= 0)
    medians = ip.loc[held, "agreed_qty"].groupby(key[held]).median()
    median = key.map(medians)  # NaN where no institution of the level holds an agreement for the product
    free = (ip["status"] == "中选") & ~(ip["agreed_qty"] > 0) & (ip["purchased_qty"] > 0)
    hit = _hits(ip, free & (ip["purchased_qty"] >= median), purchased_qty=ip["purchased_qty"], median_agreed=median)
    return _rows(hit, "unreported_purchase", "institution_code", "product_code", "purchased_qty", "median_agreed")


@once
def group_shares(f: Facts) -> pd.DataFrame:
    """Selected and non-selected quantities per institution x group (generic name | dosage form) of the
    groups that have a selected product; made once per Facts (the flags and the rollup both ask). Summed by
    whole-number ids of institution and group (tens of thousands of rows; grouping by two text keys costs
    several times more)."""
    ip, p = f.inst_product, f.products
    group_id, groups = pd.factorize(p["generic_name"] + "|" + p["dosage_form"])
    with_selected = np.unique(group_id[(p["status"] == "中选").to_numpy()])
    group = ip["product_code"].map(pd.Series(group_id, index=p["product_code"].to_numpy())).fillna(-1).to_numpy(int)
    status = ip["status"].to_numpy(dtype=object)
    keep = np.isin(group, with_selected) & ((status == "中选") | (status == "非中选"))
    inst_id, insts = pd.factorize(ip["institution_code"].to_numpy(dtype=object)[keep])
    key = inst_id * len(groups) + group[keep]
    found, at = np.unique(key, return_inverse=True)
    qty, selected = ip["purchased_qty"].to_numpy(dtype=float)[keep], status[keep] == "中选"
    out = pd.DataFrame({"institution_code": pd.Series(insts[found // len(groups)], dtype=object),
                        "group": pd.Series(groups[found % len(groups)], dtype=object),
                        "selected_qty": np.bincount(at, np.where(selected, qty, 0.0), len(found)),
                        "nonselected_qty": np.bincount(at, np.where(selected, 0.0, qty), len(found))})
    return out


def nonselected_share_high(f: Facts) -> pd.DataFrame:
    g = group_shares(f)
    total = g["selected_qty"] + g["nonselected_qty"]
    share = I.indicator("nonselected").value(g)
    low = (total > 0) & (share < f.settings["nonselected_share_min"])
    hit = g[low].assign(share=share[low])  # the values of the kept rows: an empty frame would take a whole column's
    hit["severity"] = hit["nonselected_qty"].gt(hit["selected_qty"]).map({True: "serious", False: "warning"})
    return _rows(hit, "nonselected_share_high", "institution_code", "group", "share", f.settings["nonselected_share_min"])


def substitute_increase(f: Facts) -> pd.DataFrame:
    """Purchases of a substitutable drug on pace to exceed last year's: against the schedule of the round of the
    generic it substitutes (the view's, where the institution holds no agreement for that generic)."""
    ip = f.inst_product
    ratio = I.indicator("substitute").value(ip)
    bar = ip["schedule"].fillna(f.schedule)
    hit = _hits(ip, (ip["status"] == "可替代") & (ip["baseline_qty"] > 0) & (ratio > bar), ratio=ratio, bar=bar)
    hit["severity"] = hit["ratio"].gt(1).map({True: "serious", False: "warning"})
    return _rows(hit, "substitute_increase", "institution_code", "product_code", "ratio", "bar")


def order_flags(f: Facts) -> pd.DataFrame:
    parts = []
    offline = f.offline_orders()
    parts.append(_rows(offline.assign(value=1.0), "offline_purchase", "institution_code", "order_id", "value", 0.0))
    abnormal = f.abnormal_candidates()
    parts.append(_rows(abnormal[abnormal["order_qty"] > abnormal["limit_qty"]], "abnormal_order", "institution_code",
                       "order_id", "order_qty", "limit_qty"))
    late = f.receipt_candidates()
    days = f.settings["receipt_confirm_workdays"]
    if not late.empty:
        end = late["receipt_date"].where(late["receipt_date"].notna(), f.as_of)
        late["workdays"] = [f.calendar.between(d, e) for d, e in zip(late["delivery_date"], end)]
        late = late[late["workdays"] > days]
    parts.append(_rows(late, "receipt_confirmation_late", "institution_code", "order_id", "workdays", float(days)))
    return pd.concat(parts, ignore_index=True)


def complaint_flags(f: Facts) -> pd.DataFrame:
    c = f.complaint_timeliness()
    rows = []
    for r in c.itertuples(index=False):
        if r.reply_late:
            rows.append(("complaint_reply_late", "warning", "enterprise", r.enterprise_code, r.complaint_id,
                         float(r.reply_workdays), float(f.settings["complaint_reply_workdays"])))
        if r.unresolved:
            rows.append(("complaint_unresolved", "warning", "enterprise", r.enterprise_code, r.complaint_id,
                         float(r.promise_workdays) if r.promise_workdays == r.promise_workdays else None,
                         float(f.settings["complaint_resolve_workdays"])))
    return pd.DataFrame(rows, columns=COLUMNS)


def tier_of(rate: float | None, s: dict) -> str | None:
    if rate is None or rate != rate:
        return None
    if rate >= s["tier_a_min"]:
        return "A"
    if rate >= s["tier_b_min"]:
        return "B"
    return "C" if rate >= s["tier_c_min"] else "D"


@once
def enterprise_tiers(f: Facts) -> pd.DataFrame:
    """Per enterprise: its three tiers and the worst of them (二（七）): delivery rate; timely resolution rate, only
    with at least `tier_complaint_min` counted complaints (诉求反映较多); non-cooperation recorded in the period. Made
    once per Facts (the flags and the marts both ask)."""
    s = f.settings
    e = f.enterprise_delivery().merge(f.enterprise_complaints(), on="enterprise_code", how="outer") \
        .merge(f.cooperation_records(), on="enterprise_code", how="outer")
    e["delivery_rate"] = I.rate(e["delivered_qty"], e["ordered_qty"])
    e["timely_rate"] = I.rate(e["count_timely"], e["count_complaints"])
    e["count_uncooperative"] = e["count_uncooperative"].fillna(0).astype(int)
    e["delivery_tier"] = [tier_of(v, s) for v in e["delivery_rate"]]
    many = e["count_complaints"].fillna(0) >= s["tier_complaint_min"]
    e["complaint_tier"] = [tier_of(v, s) if counted else None for v, counted in zip(e["timely_rate"], many)]
    e["cooperation_tier"] = [cases.cooperation_tier(n, s) for n in e["count_uncooperative"]]
    e["tier"] = [cases.worst_tier(*t) for t in zip(e["delivery_tier"], e["complaint_tier"], e["cooperation_tier"])]
    return e


def supplier_tier_flags(f: Facts, tiers: pd.DataFrame) -> pd.DataFrame:
    """A flag for each enterprise of tier B, C or D; its value is the worse of the rates that gave a tier (none when
    only recorded non-cooperation did)."""
    bad = tiers[tiers["tier"].isin(["B", "C", "D"])]
    rows = []
    for r in bad.itertuples(index=False):
        rates = [v for v, tier in ((r.delivery_rate, r.delivery_tier), (r.timely_rate, r.complaint_tier))
                 if isinstance(tier, str)]
        severity = {"B": "warning", "C": "serious", "D": "severe"}[r.tier]
        rows.append(("supplier_tier", severity, "enterprise", r.enterprise_code, r.tier, min(rates, default=None),
                     f.settings["tier_a_min"]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _area_rates(f: Facts, side) -> list[tuple[str, pd.DataFrame]]:
    """Per county and per city: indicator 2's rate of each group of institutions (`side`, a function of the rows of
    agreed selected products with orders, their institutions' is_primary and level, giving each row's group or None),
    a row per area and a column per group. A county-level unit standing at the prefecture level as itself is an area
    once, as a county."""
    ip = f.inst_product
    a = ip[(ip["agreed_qty"] > 0) & (ip["rate_order_qty"] > 0)]
    a = a.merge(f.institutions[["institution_code", "county_code", "city_code", "is_primary", "level"]],
                on="institution_code")
    a = a.assign(side=side(a)).dropna(subset=["side"])
    counties = set(a["county_code"])
    out = []
    for level, key in (("county", "county_code"), ("city", "city_code")):
        sums = a.groupby([key, "side"])[["rate_delivered_qty", "rate_order_qty"]].sum()
        rate = I.rate(sums["rate_delivered_qty"], sums["rate_order_qty"]).unstack()
        out.append((level, rate[~rate.index.isin(counties)] if level == "city" else rate))
    return out


def primary_care_gap(f: Facts) -> pd.DataFrame:
    """Areas whose primary institutions' delivery rate is `primary_gap_points` or more below the secondary and
    tertiary institutions', or below the warning line while theirs is not (基层供应不平衡, 二（五））."""
    gap_points, warn = f.settings["primary_gap_points"], f.settings["delivery_rate_warning"]
    rows = []
    for level, rate in _area_rates(f, I.gap_side):
        if "primary" not in rate or "others" not in rate:
            continue
        for code, primary, others in zip(rate.index, rate["primary"], rate["others"]):
            if primary != primary or others != others:
                continue  # one side has no orders: no comparison
            gap = others - primary
            if gap >= gap_points - 1e-12 or (primary < warn <= others):
                rows.append(("primary_care_gap", "warning", level, code, "", gap, gap_points))
    return pd.DataFrame(rows, columns=COLUMNS)


def level_gap(f: Facts) -> pd.DataFrame:
    """Areas where two institution levels (三级, 二级, 一级, 未定级) are supplied `primary_gap_points` or more apart
    (不同等级医疗机构供应不平衡, 二（五））: the value is the widest gap, between the best and the worst supplied level
    with orders. The same threshold as primary care's gap (the notice names no number for either)."""
    gap_points = f.settings["primary_gap_points"]
    rows = []
    for level, rate in _area_rates(f, lambda a: a["level"].where(a["level"].isin(I.AREA_LEVELS))):
        rate = rate.reindex(columns=[x for x in I.AREA_LEVELS if x in rate.columns])
        if rate.shape[1] < 2:
            continue
        gap = rate.max(axis=1) - rate.min(axis=1)  # NaN-skipping: over the levels with orders
        for code, g, n in zip(rate.index, gap, rate.notna().sum(axis=1)):
            if n >= 2 and g >= gap_points - 1e-12:
                rows.append(("level_gap", "warning", level, code, "", g, gap_points))
    return pd.DataFrame(rows, columns=COLUMNS)


def ladder_holders(flags: pd.DataFrame, min_flags: int) -> pd.DataFrame:
    """The institutions holding a ladder flag (the institution's own purchasing, 二（七）): score (the sum of the
    ladder flags' weights 1, 3, 9), the worst severity, and whether its problems are prominent (问题突出, red-flagged):
    any serious or severe ladder flag, or warnings of `min_flags` or more distinct ladder flags. Only the ladder's
    flags count: a delivery failure is the enterprises' (二（三）), a report drop or a purchase above 4x calls for an
    explanation, not the ladder."""
    ladder = flags["flag_id"].map(lambda x: FLAG_BY_ID[x].group == "ladder").astype(bool)
    inst = flags[(flags["level"] == "institution") & ladder]
    inst = inst.assign(weight=inst["severity"].map(SEVERITY_WEIGHT), is_serious=inst["severity"].isin(["serious", "severe"]))
    by = inst.groupby("subject_code").agg(serious=("is_serious", "any"), score=("weight", "sum"),
                                          worst=("weight", "max"))
    warned = inst[inst["severity"] == "warning"].groupby("subject_code")["flag_id"].nunique()
    by["is_red"] = by["serious"] | (by.index.map(warned).fillna(0).to_numpy() >= min_flags)
    worst = {w: name for name, w in SEVERITY_WEIGHT.items()}
    return pd.DataFrame({"institution_code": by.index.to_numpy(dtype=object), "score": by["score"].astype(float).to_numpy(),
                         "severity": by["worst"].map(worst).to_numpy(dtype=object), "is_red": by["is_red"].to_numpy(bool),
                         "serious": by["serious"].to_numpy(bool)})


def red_flags(flags: pd.DataFrame, min_flags: int) -> pd.DataFrame:
    """A red_flag row for each institution whose problems are prominent (ladder_holders): its value the kinds of
    ladder flag it holds, set against the rule's count (`min_flags` kinds, or any serious one); its score is the
    ladder's (mart_ladder)."""
    red = ladder_holders(flags, min_flags)
    red = red[red["is_red"]]
    ladder = flags[(flags["level"] == "institution") &
                   flags["flag_id"].map(lambda x: FLAG_BY_ID[x].group == "ladder").astype(bool)]
    kinds = ladder.groupby("subject_code")["flag_id"].nunique()
    out = pd.DataFrame({"flag_id": "red_flag", "severity": np.where(red["serious"], "serious", "warning"),
                        "level": "institution", "subject_code": red["institution_code"], "detail_code": "",
                        "value": red["institution_code"].map(kinds).astype(float).to_numpy(),
                        "threshold": float(min_flags)})
    return out[COLUMNS].reset_index(drop=True)


def all_flags(f: Facts, institutions_only: bool = False) -> pd.DataFrame:
    """Every flag at f's as-of date, red flags included. `institutions_only`: the institutions' flags and
    red flags alone (what an earlier date's red-flag list and headline figures need), without the
    enterprises' and areas' flags."""
    parts = [report_volume_drop(f), delivery_rate_low(f), progress_behind_schedule(f), purchase_over_4x(f),
             unreported_purchase(f), nonselected_share_high(f), substitute_increase(f)]
    if not institutions_only:
        parts += [complaint_flags(f), supplier_tier_flags(f, enterprise_tiers(f)), primary_care_gap(f),
                  level_gap(f)]
    parts.append(order_flags(f))  # last: its order-size quartiles are found by the engine meanwhile
    flags = pd.concat([pd.DataFrame(columns=COLUMNS)] + [p for p in parts if not p.empty], ignore_index=True)
    flags = pd.concat([flags, red_flags(flags, int(f.settings["red_flag_min_flags"]))], ignore_index=True)
    flags["detail_code"] = flags["detail_code"].fillna("").astype(str)
    return flags.sort_values(["flag_id", "subject_code", "detail_code"], kind="stable").reset_index(drop=True)
