"""Demo activity: agreements, orders with deliveries and receipts, baselines, complaints.

The background is healthy by construction (reports at or above last year, deliveries
complete, purchases ahead of schedule, receipts and complaint replies prompt), so that
every flag in the store comes from a problem `plant.py` put there on purpose.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.policy.workdays import DEFAULT as CAL
from . import catalog as C
from .entities import KINDS, PERIOD_END, PERIOD_START, Scale

PROVINCE_DISTRIBUTOR = "鲁康医药集团有限公司"


def _holds(group: C.Group, kind: str) -> bool:
    level = KINDS[kind][0]
    if group.holders == "all":
        return True
    if kind == "private":
        return False
    if group.holders == "hospital":
        return level in ("三级", "二级") and kind not in ("city_mch", "county_mch")
    return level == "三级" and kind in ("city_general", "city_special")


def agreements(inst: pd.DataFrame, prods: pd.DataFrame, ents: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    city_index = {c: i for i, c in enumerate(sorted(inst["city_code"].unique()))}
    distributors = ents[ents["role"] == "配送企业"].reset_index(drop=True)
    province_dist = distributors.loc[distributors["enterprise_name"] == PROVINCE_DISTRIBUTOR, "enterprise_code"].iloc[0]
    selected = prods[prods["status"] == "中选"]
    # (group, city) -> the products of the group's maker for that city, as (code, price)
    by_group = {gi: list(zip(f["manufacturer_code"], f["product_code"], f["price"]))
                for gi, f in selected.groupby("group_index", sort=False)}
    options: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for gi in range(len(C.GROUPS)):
        choices = by_group.get(gi, [])
        makers = list(dict.fromkeys(m for m, _, _ in choices))  # in order of appearance, as unique() gives them
        for ci in city_index.values():
            options[(gi, ci)] = [(code, price) for m, code, price in choices if m == makers[ci % len(makers)]]
    city_dists = distributors["enterprise_code"].tolist()
    rows = []
    # The draws in the order they have always been made: the same seed gives the same agreements.
    for code, city, kind in zip(inst["institution_code"], inst["city_code"], inst["kind"]):
        ci = city_index[city]
        factor = KINDS[kind][4]
        for gi, g in enumerate(C.GROUPS):
            if not _holds(g, kind) or (kind == "village" and rng.random() < 0.5):
                continue
            opts = options[(gi, ci)]
            product_code, price = opts[int(rng.integers(len(opts)))]
            reported = max(2.0, round(g.annual_qty * factor * float(rng.lognormal(0.0, 0.25))))
            prior = round(reported / rng.uniform(1.0, 1.15))
            dist = province_dist if g.category == "耗材" else city_dists[2 * ci + int(code[-1]) % 2]
            rows.append({
                "institution_code": code, "product_code": product_code,
                "period_start": PERIOD_START, "period_end": PERIOD_END,
                "reported_qty": float(reported), "prior_year_qty": float(prior),
                "agreed_qty": float(round(reported * 0.8)), "distributor_code": dist,
                "monthly_demand": reported / 12 * rng.uniform(0.97, 1.08),
                "price": price, "group_index": gi, "category": g.category,
            })
    return pd.DataFrame(rows)


def _order_frame(inst_codes, prod_codes, dist_codes, per_month_qty, prices, k: int, as_of: dt.date,
                 rng: np.random.Generator, jitter: float = 0.15) -> pd.DataFrame:
    """k orders a month from January to the as-of date for each row of the inputs."""
    n = len(inst_codes)
    months = np.arange(1, as_of.month + 1)
    idx = np.repeat(np.arange(n), len(months) * k)
    month = np.tile(np.repeat(months, k), n)
    month_start = (np.datetime64("2026-01", "M") + (month - 1)).astype("datetime64[D]")
    month_len = np.array([(dt.date(2026, m % 12 + 1, 1) if m < 12 else dt.date(2027, 1, 1)) - dt.date(2026, m, 1)
                          for m in range(1, 13)], dtype="timedelta64[D]").astype(int)
    day = (rng.random(len(idx)) * month_len[month - 1]).astype(int)
    order_date = month_start + day.astype("timedelta64[D]")
    qty = np.maximum(1, np.round(np.asarray(per_month_qty)[idx] / k * rng.uniform(1 - jitter, 1 + jitter, len(idx))))
    frame = pd.DataFrame({
        "institution_code": np.asarray(inst_codes)[idx], "product_code": np.asarray(prod_codes)[idx],
        "distributor_code": np.asarray(dist_codes)[idx], "order_date": order_date,
        "order_qty": qty.astype(float), "unit_price": np.asarray(prices)[idx],
    })
    return frame[frame["order_date"] <= np.datetime64(as_of)]


def orders(agr: pd.DataFrame, inst: pd.DataFrame, prods: pd.DataFrame, scale: Scale, as_of: dt.date,
           rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders of agreed products, plus small steady purchases of non-selected and
    substitutable products by larger hospitals; returns (orders, baseline)."""
    parts = [_order_frame(agr["institution_code"], agr["product_code"], agr["distributor_code"],
                          agr["monthly_demand"], agr["price"], scale.orders_per_month, as_of, rng)]
    # Non-selected: only where the selected demand dwarfs it, so selected shares stay high.
    demand = agr[agr["category"] == "药品"].groupby(["institution_code", "group_index"])["monthly_demand"].sum()
    nonsel = prods[prods["winner"] == -2]
    big = inst[inst["level"].isin(["三级", "二级"]) & (inst["ownership"] == "公立")]
    demand = demand.to_dict()
    nonsel = list(zip(nonsel["product_code"], nonsel["group_index"], nonsel["price"]))
    substitutes = prods[prods["winner"] == -4]
    substitutes = list(zip(substitutes["product_code"], substitutes["price"]))
    side = []
    for code in big["institution_code"]:  # the draws in their usual order (same seed, same orders)
        for product, group, price in nonsel:
            if demand.get((code, group), 0) >= 400 and rng.random() < 0.5:
                side.append((code, product, price, 1.3 * 12 * 40 * rng.uniform(0.9, 1.1)))
        for product, price in substitutes:
            if rng.random() < 0.4:
                side.append((code, product, price, 12 * 40 * rng.uniform(1.6, 1.9)))
    side_df = pd.DataFrame(side, columns=["institution_code", "product_code", "price", "prior_year_qty"])
    dist = dict(zip(agr["institution_code"], agr["distributor_code"]))
    if len(side_df):
        frame = _order_frame(side_df["institution_code"], side_df["product_code"],
                             side_df["institution_code"].map(dist), np.full(len(side_df), 40.0), side_df["price"],
                             1, as_of, rng, jitter=0.5)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True).sort_values(["order_date", "institution_code", "product_code"], kind="stable")
    out = out.reset_index(drop=True)
    out["order_id"] = "DD2026" + pd.Series(np.arange(1, len(out) + 1)).astype(str).str.zfill(9)
    out["channel"] = "线上"
    _deliver(out, as_of, rng)
    baseline = side_df.assign(year=2025, prior_year_qty=side_df["prior_year_qty"].round())[
        ["institution_code", "product_code", "year", "prior_year_qty"]]
    return out, baseline


def _deliver(frame: pd.DataFrame, as_of: dt.date, rng: np.random.Generator) -> None:
    """Deliveries one or two days after the order, receipts within two days; nearly all complete."""
    n = len(frame)
    t = np.datetime64(as_of)
    delivery = frame["order_date"].to_numpy() + rng.integers(1, 3, n).astype("timedelta64[D]")
    receipt = delivery + rng.integers(0, 3, n).astype("timedelta64[D]")
    delivered = np.where(rng.random(n) < 0.02, np.round(frame["order_qty"] * rng.uniform(0.6, 0.9, n)),
                         frame["order_qty"])
    done = delivery <= t
    frame["delivered_qty"] = np.where(done, delivered, np.nan)
    frame["delivery_date"] = np.where(done, delivery, np.datetime64("NaT"))
    frame["receipt_date"] = np.where(done & (receipt <= t), receipt, np.datetime64("NaT"))


def complaints(agr: pd.DataFrame, prods: pd.DataFrame, as_of: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """Background complaints, each answered the same or next working day and resolved on time."""
    maker = dict(zip(prods["product_code"], prods["manufacturer_code"]))
    picks = agr.sample(n=max(1, len(agr) // 40), random_state=int(rng.integers(1 << 30)))
    last = as_of - dt.timedelta(days=21)
    span = (last - dt.date(2026, 1, 5)).days
    rows = []
    for i, r in enumerate(picks.itertuples(index=False)):
        raised = dt.date(2026, 1, 5) + dt.timedelta(days=int(rng.integers(span)))
        while not CAL.is_workday(raised):
            raised += dt.timedelta(days=1)
        reply = CAL.add(raised, int(rng.integers(0, 2)))
        promised = CAL.add(reply, int(rng.integers(1, 4)))
        to_maker = rng.random() < 0.6
        rows.append({
            "complaint_id": f"SQ2026{i + 1:06d}", "institution_code": r.institution_code,
            "enterprise_code": maker[r.product_code] if to_maker else r.distributor_code,
            "product_code": r.product_code, "issue_type": "供货不及时" if rng.random() < 0.7 else "其他",
            "raised_date": raised, "reply_date": reply, "promised_date": promised, "resolved_date": promised,
        })
    return pd.DataFrame(rows)
