"""Planted problems: one or more cases of every flag, spread over cities and levels.

Each plant changes the healthy background in one named way and writes what it did
to the manifest (flag_id, level, subject_code, detail_code, severity). Institutions are
used by one plant only, so each carries the flag it was planted with; some of them
also draw a companion flag (over-purchase orders are large, so they are abnormal too),
which the manifest notes. Entities no plant touched are listed as `clean`.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from core.policy.indicators import FLAG_BY_ID
from core.policy.workdays import DEFAULT as CAL
from . import catalog as C
from .entities import KINDS


# Where a province has no institution of a kind (a municipality's districts have no township health centres or
# village clinics), a plant takes the nearest kind it has.
ALIKE = {
    "township": ("community", "village"), "village": ("community", "township"), "community": ("township", "village"),
    "county_hospital": ("district_hospital", "city_general"), "district_hospital": ("county_hospital", "city_general"),
    "county_tcm": ("city_tcm", "district_hospital", "county_hospital"), "city_tcm": ("county_tcm", "city_general"),
    "city_general": ("district_hospital", "county_hospital"), "city_special": ("city_general",),
}


class Planter:
    def __init__(self, inst, ents, prods, agr, orders, baseline, complaints, as_of: dt.date, rng):
        self.inst, self.ents, self.prods, self.agr = inst, ents, prods, agr
        self.orders, self.baseline, self.complaints = orders, baseline, complaints  # orders: see the property
        self.as_of, self.rng = as_of, rng
        self.cities = sorted(inst["city_code"].unique())
        self.used: set[str] = set()
        self.planted_enterprises: set[str] = set()
        self.manifest: list[dict] = []
        self._next_order = len(orders)
        self.city_of = dict(zip(inst["institution_code"], inst["city_code"]))

    # -- helpers ---------------------------------------------------------------------
    @property
    def orders(self) -> pd.DataFrame:
        return self._orders

    @orders.setter
    def orders(self, frame: pd.DataFrame) -> None:
        self._orders, self._positions, self._order_at = frame, None, None

    def _mask(self, positions) -> pd.Series:
        mask = np.zeros(len(self._orders), dtype=bool)
        mask[positions] = True
        return pd.Series(mask, index=self._orders.index)

    def _of(self, institution: str, products: set[str] | None = None) -> np.ndarray:
        if self._positions is None:  # each institution's orders, found once per version of the orders
            self._positions = self._orders.groupby("institution_code", sort=False).indices
        positions = self._positions.get(institution, np.array([], dtype=np.intp))
        if products is not None:
            positions = positions[self._orders["product_code"].iloc[positions].isin(products).to_numpy()]
        return positions

    def of(self, institution: str, product: str | None = None) -> pd.Series:
        """Mask of an institution's orders (of one product), without comparing every order's codes each time."""
        return self._mask(self._of(institution, None if product is None else {product}))

    def order(self, order_id: str) -> pd.Series:
        """Mask of one order."""
        if self._order_at is None:
            self._order_at = dict(zip(self._orders["order_id"], range(len(self._orders))))
        return self._mask([self._order_at[order_id]])

    def note(self, flag_id, level, subject, detail="", severity=None, note=""):
        self.manifest.append({"flag_id": flag_id, "level": level, "subject_code": subject,
                              "detail_code": detail, "severity": severity, "note": note})

    def pick(self, city_i: int, kind: str, need_group=None) -> str:
        """The first unused institution of a kind in the i-th city (or, where that city has none, the next); in a
        province without that kind (a municipality has no township health centres), the nearest kind it has."""
        same_side = tuple(k for k, v in KINDS.items() if v[2] == KINDS[kind][2])  # primary or not, like the kind
        free: dict[str, list[tuple[str, str]]] = {}  # city -> its unused institutions (kind, code), in their order
        for city, k, code in zip(self.inst["city_code"], self.inst["kind"], self.inst["institution_code"]):
            if code not in self.used:
                free.setdefault(city, []).append((k, code))
        held = None if need_group is None else set(zip(self.agr["institution_code"], self.agr["group_index"]))
        for wanted in ((kind,), ALIKE.get(kind, ()), same_side):
            for step in range(len(self.cities)):
                city = self.cities[(city_i + step) % len(self.cities)]
                for k, code in free.get(city, []):
                    if k in wanted and (held is None or (code, need_group) in held):
                        self.used.add(code)
                        return code
        raise LookupError(f"no {kind} left in the province")

    def fresh_county(self, city_i: int, want=None, largest: bool = False) -> str:
        """A county no plant has touched (the largest, with `largest`), in the i-th city or the next that has one
        (`want(members)` may ask more of it); in a province with no such county left, the county with the most untouched institutions."""
        touched = set(self.inst.loc[self.inst["institution_code"].isin(self.used), "county_code"])
        for step in range(len(self.cities)):
            city = self.cities[(city_i + step) % len(self.cities)]
            pool = self.inst[(self.inst["city_code"] == city) & ~self.inst["county_code"].isin(touched)]
            groups = dict(list(pool.groupby("county_code", sort=False)))
            order = list(groups) if not largest else \
                list(pool.groupby("county_code").size().sort_values(ascending=False, kind="stable").index)
            for county in order:
                if want is None or want(groups[county]):
                    return county
        free = self.inst[~self.inst["institution_code"].isin(self.used)]
        return free.groupby("county_code").size().sort_values(ascending=False, kind="stable").index[0]

    def agreement(self, inst_code: str, group: int | None = None) -> int:
        mine = self.agr[(self.agr["institution_code"] == inst_code) & (self.agr["category"] == "药品")]
        if group is not None:
            mine = self.agr[(self.agr["institution_code"] == inst_code) & (self.agr["group_index"] == group)]
        return int(mine.index[0])

    def agreement_orders(self, idx: int) -> pd.Series:
        a = self.agr.loc[idx]
        return self.of(a["institution_code"], a["product_code"])

    def orders_of(self, agreement_index) -> pd.Series:
        """Mask of the orders of several agreements, in one pass over the orders."""
        wanted: dict[str, set[str]] = {}
        pairs = self.agr.loc[agreement_index]
        for institution, product in zip(pairs["institution_code"], pairs["product_code"]):
            wanted.setdefault(institution, set()).add(product)
        positions = [self._of(institution, products) for institution, products in wanted.items()]
        return self._mask(np.concatenate(positions) if positions else [])

    def scale_delivery(self, mask: pd.Series, fraction: float) -> None:
        """Deliver a fraction of the orders, in whole pieces (boxes, devices): along each institution x product's
        orders (by date) the running total delivered is the fraction of the running total ordered, rounded, so
        every pair's delivery rate is the fraction to within half a piece of its orders."""
        done = self.orders.index[mask & self.orders["delivered_qty"].notna()]
        rows = self.orders.loc[done].sort_values("order_date", kind="stable")
        pairs = [rows["institution_code"], rows["product_code"]]
        total = np.floor(rows.groupby(pairs)["order_qty"].cumsum() * fraction + 0.5)
        self.orders.loc[rows.index, "delivered_qty"] = total - total.groupby(pairs).shift(fill_value=0.0)

    def add_orders(self, inst_code, product_code, total: float, price: float, distributor) -> None:
        """Monthly orders from January to T adding up to `total`."""
        months = list(range(1, self.as_of.month + 1))
        rows = []
        each = total / len(months)
        for m in months:
            day = dt.date(2026, m, 10) if m < self.as_of.month else min(dt.date(2026, m, 3), self.as_of)
            rows.append({"institution_code": inst_code, "product_code": product_code, "distributor_code": distributor,
                         "order_date": np.datetime64(day), "order_qty": float(max(1, round(each))),
                         "unit_price": price, "channel": "线上", "delivered_qty": float(max(1, round(each))),
                         "delivery_date": np.datetime64(day + dt.timedelta(days=1)),
                         "receipt_date": np.datetime64(day + dt.timedelta(days=2))})
        frame = pd.DataFrame(rows)
        frame["order_id"] = [f"DD2026{self._next_order + i + 1:09d}" for i in range(len(frame))]
        self._next_order += len(frame)
        self.orders = pd.concat([self.orders, frame], ignore_index=True)

    def new_enterprise(self, name: str, role: str) -> str:
        code = f"{len(self.ents) + 1:04d}"
        self.ents = pd.concat([self.ents, pd.DataFrame([{"enterprise_code": code, "enterprise_name": name, "role": role}])],
                              ignore_index=True)
        self.planted_enterprises.add(code)
        return code

    @staticmethod
    def severity_of_rate(rate: float) -> str:
        return "severe" if rate < 0.3 else "serious" if rate < 0.6 else "warning"

    # -- the plants --------------------------------------------------------------------
    def failing_manufacturers(self) -> None:
        """A selected consumable whose maker delivers badly, chosen by hospitals of some cities."""
        for gi, fraction, tier, city_is, name in ((19, 0.72, "B", (8, 9), "鸿运眼科医疗器械有限公司"),
                                                  (20, 0.45, "C", (10,), "远航介入医疗器械有限公司"),
                                                  (18, 0.2, "D", (11,), "久安心血管医疗器械有限公司")):
            g = C.GROUPS[gi]
            maker = self.new_enterprise(name, "生产企业")
            code = f"HC{len(self.prods) + 1:06d}"
            self.prods = pd.concat([self.prods, pd.DataFrame([{
                "product_code": code, "generic_name": g.generic_name, "dosage_form": g.dosage_form,
                "specification": g.specification + "（B型）", "category": g.category, "manufacturer_code": maker,
                "vbp_batch": g.vbp_batch, "status": "中选", "substitute_generic": None, "substitution_degree": None,
                "unit": g.unit, "price": g.price, "group_index": gi, "winner": 9}])], ignore_index=True)
            self.note("supplier_tier", "enterprise", maker, tier, None, f"配送率约{fraction:.0%}")
            cities = [self.cities[i % len(self.cities)] for i in city_is]
            holders = self.agr[(self.agr["group_index"] == gi)
                               & self.agr["institution_code"].map(dict(zip(self.inst["institution_code"], self.inst["city_code"]))).isin(cities)
                               & ~self.agr["institution_code"].isin(self.used)]
            # In a province of one or two cities the plants would share a city: each takes a share of its hospitals.
            share = max(1, int((~self.inst["is_primary"]).sum()) // 8)
            holders = holders[holders["institution_code"].isin(holders["institution_code"].unique()[:share])]
            mask = self.orders_of(holders.index)
            self.orders.loc[mask, "product_code"] = code
            self.agr.loc[holders.index, "product_code"] = code
            self.scale_delivery(mask, fraction)
            for inst_code in holders["institution_code"]:
                self.used.add(inst_code)
                self.note("delivery_rate_low", "institution", inst_code, code, self.severity_of_rate(fraction), "中选企业供货不足")

    def failing_distributor(self) -> None:
        county = self.fresh_county(12, largest=True)
        dist = self.new_enterprise("宏达医药配送有限公司", "配送企业")
        self.note("supplier_tier", "enterprise", dist, "C", None, "配送率约50%")
        members = set(self.inst.loc[(self.inst["county_code"] == county) & ~self.inst["institution_code"].isin(self.used),
                                    "institution_code"])
        served = self.agr.index[self.agr["institution_code"].isin(members) & (self.agr["category"] == "药品")]
        mask = self.orders_of(served)
        self.agr.loc[served, "distributor_code"] = dist
        self.orders.loc[mask, "distributor_code"] = dist
        self.scale_delivery(mask, 0.5)
        for idx in served:
            self.note("delivery_rate_low", "institution", self.agr.loc[idx, "institution_code"],
                      self.agr.loc[idx, "product_code"], "serious", "配送企业配送不足")
        self.used |= members

    def primary_gap(self) -> None:
        """Counties whose primary institutions are served badly while hospitals are not."""
        for city_i in (5, 13):
            def both(members):  # primary institutions to serve badly and others to compare them with
                return members["is_primary"].any() and (~members["is_primary"]).any()
            county = self.fresh_county(city_i, lambda m: both(m) and (m["kind"] == "township").any()) if \
                (self.inst["kind"] == "township").any() else self.fresh_county(city_i, both)
            self.note("primary_care_gap", "county", county, "", "warning", "基层配送率约75%")
            self.note("level_gap", "county", county, "", "warning", "基层所在等级配送率约75%，与二级、三级相差10个百分点以上")
            primary = self.inst[(self.inst["county_code"] == county) & self.inst["is_primary"]
                                & ~self.inst["institution_code"].isin(self.used)]["institution_code"]
            served = self.agr.index[self.agr["institution_code"].isin(set(primary))]
            self.scale_delivery(self.orders_of(served), 0.75)
            for idx in served:
                self.note("delivery_rate_low", "institution", self.agr.loc[idx, "institution_code"],
                          self.agr.loc[idx, "product_code"], "warning", "基层供应不足")
            self.used |= set(self.inst.loc[self.inst["county_code"] == county, "institution_code"])

    def report_drops(self) -> None:
        for city_i, kind, ratio in ((1, "city_general", 0.7), (3, "township", 0.7), (5, "community", 0.4), (7, "village", 0.7)):
            idx = self.agreement(self.pick(city_i, kind))
            prior = self.agr.loc[idx, "prior_year_qty"]
            self.agr.loc[idx, "reported_qty"] = float(round(prior * ratio))
            self.agr.loc[idx, "agreed_qty"] = float(round(prior * ratio * 0.8))
            self.note("report_volume_drop", "institution", self.agr.loc[idx, "institution_code"],
                      self.agr.loc[idx, "product_code"], "serious" if ratio < 0.5 else "warning", f"报量为上年{ratio:.0%}")

    def low_delivery(self) -> None:
        for city_i, kind, fraction in ((2, "county_hospital", 0.72), (4, "township", 0.5), (6, "city_general", 0.22)):
            idx = self.agreement(self.pick(city_i, kind))
            self.scale_delivery(self.agreement_orders(idx), fraction)
            self.note("delivery_rate_low", "institution", self.agr.loc[idx, "institution_code"],
                      self.agr.loc[idx, "product_code"], self.severity_of_rate(fraction), f"配送率约{fraction:.0%}")

    def complaint_problems(self) -> None:
        """A distributor answering half its complaints late (tier C), a maker resolving 30% late (tier B)."""
        city = self.cities[14 % len(self.cities)]
        dist = self.agr.loc[self.agr["institution_code"].map(self.city_of) == city, "distributor_code"]
        dist = sorted(d for d in dist.unique() if d not in self.planted_enterprises)[0]
        maker = self.prods.loc[self.prods["generic_name"] == "缬沙坦", "manufacturer_code"].iloc[0]
        n = len(self.complaints)
        self.complaints = self.complaints[~self.complaints["enterprise_code"].isin([dist, maker])].copy()
        raisers = self.agr[self.agr["distributor_code"] == dist]["institution_code"].unique()
        for enterprise, plan, tier in ((dist, ["ok"] * 6 + ["late_reply"] * 3 + ["long_promise"] * 3, "C"),
                                       (maker, ["ok"] * 7 + ["resolved_late"] * 3, "B")):
            self.planted_enterprises.add(enterprise)
            self.note("supplier_tier", "enterprise", enterprise, tier, None, "诉求及时解决率低")
            for j, kind in enumerate(plan):
                raised = CAL.add(dt.date(2026, 3 + j % 7, 2), 1)
                reply = CAL.add(raised, 4 if kind == "late_reply" else 1)
                promised = CAL.add(reply, 8 if kind == "long_promise" else 3)
                resolved = CAL.add(promised, 3) if kind == "resolved_late" else promised
                cid = f"SQ2026{n + 1:06d}"
                n += 1
                self.complaints = pd.concat([self.complaints, pd.DataFrame([{
                    "complaint_id": cid, "institution_code": raisers[j % len(raisers)], "enterprise_code": enterprise,
                    "product_code": None, "issue_type": "供货不及时", "raised_date": raised, "reply_date": reply,
                    "promised_date": promised, "resolved_date": resolved}])], ignore_index=True)
                if kind == "late_reply":
                    self.note("complaint_reply_late", "enterprise", enterprise, cid, "warning")
                elif kind != "ok":
                    self.note("complaint_unresolved", "enterprise", enterprise, cid, "warning")

    def behind_schedule(self) -> None:
        for city_i, kind, factor in ((14, "county_hospital", 0.6), (15, "township", 0.3), (0, "city_tcm", 0.6)):
            idx = self.agreement(self.pick(city_i, kind))
            mask = self.agreement_orders(idx)
            for col in ("order_qty", "delivered_qty"):
                self.orders.loc[mask, col] = np.maximum(1, np.round(self.orders.loc[mask, col] * factor))
            self.note("progress_behind_schedule", "institution", self.agr.loc[idx, "institution_code"],
                      self.agr.loc[idx, "product_code"], "serious" if factor < 0.4 else "warning", f"采购量为正常的{factor:.0%}")

    def over_purchase(self) -> None:
        for city_i, kind in ((1, "county_hospital"), (9, "township")):
            idx = self.agreement(self.pick(city_i, kind))
            bought = self.orders.loc[self.agreement_orders(idx), "order_qty"].sum()
            self.agr.loc[idx, "agreed_qty"] = float(math.floor(bought / 5))
            self.note("purchase_over_4x", "institution", self.agr.loc[idx, "institution_code"],
                      self.agr.loc[idx, "product_code"], "warning", "约定量过低，订单同时属超常规")

    def unreported(self) -> None:
        level_of = dict(zip(self.inst["institution_code"], self.inst["level"]))
        for city_i, kind, gi in ((2, "city_general", 0), (10, "township", 2)):
            code = self.pick(city_i, kind, need_group=gi)
            held = self.agr.loc[self.agr["institution_code"] == code, "product_code"]
            others = self.prods[(self.prods["group_index"] == gi) & (self.prods["status"] == "中选")
                                & ~self.prods["product_code"].isin(held) & (self.prods["winner"] >= 0)]
            product = others.iloc[0]
            peers = self.agr[(self.agr["product_code"] == product["product_code"]) & (self.agr["agreed_qty"] > 0)
                             & (self.agr["institution_code"].map(level_of) == level_of[code])]
            if peers.empty:  # the flag compares with institutions of the same level: plant one where there are
                continue
            self.add_orders(code, product["product_code"], 1.3 * float(peers["agreed_qty"].median()), product["price"],
                            self.agr.loc[self.agreement(code), "distributor_code"])
            self.note("unreported_purchase", "institution", code, product["product_code"], "warning", "未报量仍大量采购")

    def nonselected(self) -> None:
        for city_i, kind, gi, ratio in ((3, "county_hospital", 0, 0.6), (11, "district_hospital", 3, 1.5)):
            code = self.pick(city_i, kind, need_group=gi)
            g = C.GROUPS[gi]
            held = self.agr[(self.agr["institution_code"] == code) & (self.agr["group_index"] == gi)]
            selected_qty = self.orders.loc[self.of(code)
                                           & self.orders["product_code"].isin(held["product_code"]), "order_qty"].sum()
            product = self.prods[(self.prods["group_index"] == gi) & (self.prods["winner"] == -2)].iloc[0]
            self.orders = self.orders[~self.of(code, product["product_code"])]
            self.add_orders(code, product["product_code"], ratio * selected_qty, product["price"], held["distributor_code"].iloc[0])
            self.note("nonselected_share_high", "institution", code, f"{g.generic_name}|{g.dosage_form}",
                      "serious" if ratio > 1 else "warning", f"非中选/中选 = {ratio}")

    def substitutes(self) -> None:
        subs = self.prods[self.prods["winner"] == -4].reset_index(drop=True)
        for n, (city_i, kind, over) in enumerate(((4, "city_general", 0.95), (12, "county_hospital", 1.3))):
            code = self.pick(city_i, kind)
            product = subs.iloc[n % len(subs)]
            pc = product["product_code"]
            self.orders = self.orders[~self.of(code, pc)]
            self.baseline = self.baseline[~((self.baseline["institution_code"] == code) & (self.baseline["product_code"] == pc))]
            self.add_orders(code, pc, 600.0, product["price"], self.agr.loc[self.agreement(code), "distributor_code"])
            bought = self.orders.loc[self.of(code, pc), "order_qty"].sum()
            self.baseline = pd.concat([self.baseline, pd.DataFrame([{
                "institution_code": code, "product_code": pc, "year": 2025, "prior_year_qty": float(round(bought / over))}])],
                ignore_index=True)
            self.note("substitute_increase", "institution", code, pc, "serious" if over > 1 else "warning",
                      f"已达上年的{over:.0%}")

    def order_problems(self) -> None:
        t = np.datetime64(self.as_of)
        for city_i, kind in ((5, "township"), (13, "county_hospital"), (7, "village")):
            code = self.pick(city_i, kind)
            for oid in self.orders.loc[self.of(code), "order_id"].iloc[[3, 7]]:
                self.orders.loc[self.order(oid), "channel"] = "线下"
                self.note("offline_purchase", "institution", code, oid, "warning")
        for city_i, kind in ((6, "county_tcm"), (14, "community")):
            idx = self.agreement(self.pick(city_i, kind))
            oid = self.orders.loc[self.agreement_orders(idx), "order_id"].iloc[5]
            qty = float(math.ceil(5 * self.agr.loc[idx, "agreed_qty"] / 12))
            self.orders.loc[self.order(oid), ["order_qty", "delivered_qty"]] = qty
            self.note("abnormal_order", "institution", self.agr.loc[idx, "institution_code"], oid, "warning", "超过月均约定量5倍")
        side = self.orders[self.orders["product_code"].isin(self.prods.loc[self.prods["winner"] == -2, "product_code"])
                           & ~self.orders["institution_code"].isin(self.used)]
        here = side[side["institution_code"].map(self.city_of) == self.cities[2 % len(self.cities)]]
        if side.empty:  # every buyer of non-selected products already carries a plant: give one such a purchase
            code = self.pick(2, "district_hospital")
            product = self.prods[self.prods["winner"] == -2].iloc[0]
            self.add_orders(code, product["product_code"], 40.0, product["price"],
                            self.agr.loc[self.agreement(code), "distributor_code"])
            side = self.orders[self.of(code, product["product_code"])]
        row = (here if len(here) else side).iloc[0]
        self.used.add(row["institution_code"])
        self.orders.loc[self.order(row["order_id"]), ["order_qty", "delivered_qty"]] = 600.0
        self.note("abnormal_order", "institution", row["institution_code"], row["order_id"], "warning", "无约定量的超大订单")
        for city_i, kind, late in ((8, "township", 8), (15, "city_general", 9), (0, "village", None)):
            code = self.pick(city_i, kind)
            mine = self.orders[self.of(code) & self.orders["delivery_date"].notna()]
            month = 9 if late is None else 6
            row = mine[mine["delivery_date"] >= np.datetime64(f"2026-{month:02d}-01")].iloc[0]
            delivered = pd.Timestamp(row["delivery_date"]).date()
            receipt = np.datetime64("NaT") if late is None else np.datetime64(CAL.add(delivered, late))
            self.orders.loc[self.order(row["order_id"]), "receipt_date"] = receipt
            assert late is not None or t > np.datetime64(CAL.add(delivered, 5))
            self.note("receipt_confirmation_late", "institution", code, row["order_id"], "warning")

    def prominent(self) -> None:
        """Institutions whose problems are prominent (问题突出): warnings of three distinct ladder flags each (two
        offline orders, a late receipt, an abnormal order). Two lie in the county with the most planted problems so
        far (the demo's county officer holds it), one more in its city, and one in each of a few other cities."""
        county_of = dict(zip(self.inst["institution_code"], self.inst["county_code"]))
        counties = pd.Series([county_of[m["subject_code"]] for m in self.manifest if m["level"] == "institution"])
        top = counties.value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
        city = self.inst.loc[self.inst["county_code"] == top, "city_code"].iloc[0]
        city_i = self.cities.index(city)
        # there, institutions whose only plants are their suppliers' failures may carry problems of their own too
        others = {m["subject_code"] for m in self.manifest if FLAG_BY_ID[m["flag_id"]].group != "supply"}
        here = self.inst[(self.inst["county_code"] == top) & ~self.inst["institution_code"].isin(others)
                         & self.inst["institution_code"].isin(self.agr["institution_code"])]["institution_code"]
        chosen = list(here.iloc[:2])
        for code in chosen:
            self.used.add(code)
        kinds = ("county_hospital", "township", "city_general", "community", "district_hospital")
        chosen += [self.pick(city_i, "township")]
        chosen += [self.pick((city_i + k * 5) % len(self.cities), kinds[k % len(kinds)]) for k in range(1, 4)]
        for code in chosen:
            mine = self.orders[self.of(code) & self.orders["delivery_date"].notna()]
            late = mine[mine["delivery_date"] >= np.datetime64("2026-06-01")]
            planted = {m["detail_code"] for m in self.manifest if m["subject_code"] == code}
            mine_agr = self.agr[(self.agr["institution_code"] == code) & ~self.agr["product_code"].isin(planted)]
            online = [self.orders.loc[self.agreement_orders(i) & (self.orders["channel"] == "线上"), "order_id"]
                      for i in mine_agr.index[:1]]
            if len(mine) < 5 or late.empty or not online or len(online[0]) < 6:
                continue  # a small institution (a mini province) without the orders to carry all three
            offline = mine["order_id"].iloc[[1, 4]]
            for oid in offline:
                self.orders.loc[self.order(oid), "channel"] = "线下"
                self.note("offline_purchase", "institution", code, oid, "warning")
            row = late.iloc[0]
            receipt = np.datetime64(CAL.add(pd.Timestamp(row["delivery_date"]).date(), 8))
            self.orders.loc[self.order(row["order_id"]), "receipt_date"] = receipt
            self.note("receipt_confirmation_late", "institution", code, row["order_id"], "warning")
            idx = int(mine_agr.index[0])  # a product no other plant of the institution touches
            oid = online[0].iloc[5]
            qty = float(math.ceil(5 * self.agr.loc[idx, "agreed_qty"] / 12))
            self.orders.loc[self.order(oid), ["order_qty", "delivered_qty"]] = qty
            self.note("abnormal_order", "institution", code, oid, "warning", "问题突出：超过月均约定量5倍")
        self.officer_cases([c for c in chosen[:2] if any(m["subject_code"] == c for m in self.manifest)])

    def officer_cases(self, codes: list[str]) -> None:
        """Beside the ladder, cases of other kinds in the demo county officer's county: the first prominent
        institution reported 60% of last year's purchases of one product (an explanation; its agreed volume stays),
        and its distributor answered one of its complaints in 4 working days (a complaint to supervise). The demo's
        institution and enterprise accounts are those two."""
        if codes:
            mine = self.agr[(self.agr["institution_code"] == codes[0]) & (self.agr["prior_year_qty"] > 0)]
            if len(mine):
                idx = mine.index[-1]
                self.agr.loc[idx, "reported_qty"] = float(round(self.agr.loc[idx, "prior_year_qty"] * 0.6))
                self.note("report_volume_drop", "institution", codes[0], self.agr.loc[idx, "product_code"], "warning",
                          "报量为上年60%")
        if codes:
            dist = self.agr.loc[self.agr["institution_code"] == codes[0], "distributor_code"].dropna()
            if len(dist):
                raised = CAL.add(dt.date(2026, 9, 1), 1)
                reply = CAL.add(raised, 4)
                cid = f"SQ2026{int(self.complaints['complaint_id'].str[6:].astype(int).max()) + 1:06d}"
                self.complaints = pd.concat([self.complaints, pd.DataFrame([{
                    "complaint_id": cid, "institution_code": codes[0], "enterprise_code": dist.iloc[0],
                    "product_code": None, "issue_type": "供货不及时", "raised_date": raised, "reply_date": reply,
                    "promised_date": CAL.add(reply, 3), "resolved_date": CAL.add(reply, 3)}])], ignore_index=True)
                self.planted_enterprises.add(dist.iloc[0])
                self.note("complaint_reply_late", "enterprise", dist.iloc[0], cid, "warning", "回复用时4个工作日")

    def red_flags_and_clean(self) -> None:
        ladder = [m for m in self.manifest  # only the ladder's flags make an institution red
                  if m["level"] == "institution" and FLAG_BY_ID[m["flag_id"]].group == "ladder"]
        serious = {m["subject_code"] for m in ladder if m["severity"] in ("serious", "severe")}
        warned = pd.Series([m["flag_id"] for m in ladder if m["severity"] == "warning"],
                           index=[m["subject_code"] for m in ladder if m["severity"] == "warning"], dtype=object)
        several = set(warned.groupby(level=0).nunique().loc[lambda n: n >= 3].index)
        for code in sorted(serious | several):
            self.note("red_flag", "institution", code, "", None,
                      "含重点关注或严重预警" if code in serious else "三类及以上采购行为预警")
        clean = self.inst[~self.inst["institution_code"].isin(self.used)]
        for code in clean["institution_code"].iloc[:: max(1, len(clean) // 60)]:
            self.note("clean", "institution", code)
        touched_counties = set(self.inst.loc[self.inst["institution_code"].isin(self.used), "county_code"])
        for county in sorted(set(self.inst["county_code"]) - touched_counties)[::5]:
            self.note("clean", "county", county)
        for code in self.ents["enterprise_code"]:
            if code not in self.planted_enterprises:
                self.note("clean", "enterprise", code)

    def run(self) -> None:
        for plant in (self.failing_manufacturers, self.failing_distributor, self.primary_gap, self.report_drops,
                      self.low_delivery, self.complaint_problems, self.behind_schedule, self.over_purchase,
                      self.unreported, self.nonselected, self.substitutes, self.order_problems, self.prominent):
            plant()
        self.red_flags_and_clean()
