"""Small hand-made stores for the indicator rules; every expected value in the tests is worked out by hand.

Default period: 2026-01-01 to 2026-04-10 (100 days, 4 calendar months); T = 2026-03-01
gives a schedule of exactly 60 / 100 = 0.6, and the delivery window ends on 2026-02-27.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from core.read import tables
from core.store import db
from core.store import schema as S
from core.store.opening import open_store

D = dt.date
START, END, T = D(2026, 1, 1), D(2026, 4, 10), D(2026, 3, 1)

INSTITUTION_KINDS = {
    # kind: (level, category, is_primary)
    "hospital": ("二级", "综合医院", False),
    "township": ("一级", "乡镇卫生院", True),
    "private": ("一级", "综合医院", False),  # neither primary nor secondary/tertiary
    "tertiary": ("三级", "综合医院", False),
    "village": ("未定级", "村卫生室", True),
}


class Handmade:
    def __init__(self, url: str):
        self.store = open_store(url)
        self.rows: dict[str, list[dict]] = {name: [] for name in S.DATA_TABLES}
        self._ids = itertools.count(1)
        for code, role in (("M1", "生产企业"), ("M2", "生产企业"), ("M3", "生产企业"), ("M4", "生产企业"),
                           ("D1", "配送企业")):
            self.rows["enterprises"].append({"enterprise_code": code, "enterprise_name": f"企业{code}", "role": role})
        for code, maker, status, generic, extra in (
                ("P1", "M1", "中选", "阿司匹林", {}), ("P2", "M2", "非中选", "阿司匹林", {}),
                ("P3", "M3", "可替代", "吲哚布芬", {"substitute_generic": "阿司匹林", "substitution_degree": "大部分可替代"}),
                ("P4", "M2", "中选", "氨氯地平", {}), ("P5", "M3", "中选", "二甲双胍", {}), ("P6", "M4", "中选", "恩替卡韦", {})):
            self.rows["products"].append({"product_code": code, "generic_name": generic, "dosage_form": "片剂",
                                          "category": "药品", "manufacturer_code": maker, "status": status, **extra})

    def institution(self, code: str, county: str = "370102", kind: str = "hospital") -> str:
        level, category, primary = INSTITUTION_KINDS[kind]
        self.rows["institutions"].append({"institution_code": code, "institution_name": f"机构{code}", "county_code": county,
                                          "level": level, "category": category, "is_primary": primary})
        return code

    def agreement(self, inst: str, product: str = "P1", agreed: float = 100, reported: float = 100, prior: float = 100,
                  start: dt.date = START, end: dt.date = END) -> None:
        self.rows["agreements"].append({"institution_code": inst, "product_code": product, "period_start": start,
                                        "period_end": end, "reported_qty": reported, "prior_year_qty": prior,
                                        "agreed_qty": agreed, "distributor_code": "D1"})

    def two_rounds(self, inst: str = "H1") -> str:
        """An institution holding P1 over 2026 and P4 of a later round, 2026-05-01 to 2027-04-30, 100 each (two
        agreement periods in force from May)."""
        self.institution(inst)
        self.agreement(inst, "P1", agreed=100, start=D(2026, 1, 1), end=D(2026, 12, 31))
        self.agreement(inst, "P4", agreed=100, start=D(2026, 5, 1), end=D(2027, 4, 30))
        return inst

    def order(self, inst: str, qty: float, product: str = "P1", day: dt.date = D(2026, 2, 2), delivered: float | None = None,
              channel: str = "线上", delivery: dt.date | None = None, receipt: dt.date | None = None) -> str:
        oid = f"O{next(self._ids):05d}"
        if delivered is None:
            delivered = qty
        delivery = delivery or day + dt.timedelta(days=1)
        self.rows["orders"].append({"order_id": oid, "institution_code": inst, "product_code": product,
                                    "distributor_code": "D1", "order_date": day, "order_qty": float(qty),
                                    "channel": channel, "delivered_qty": float(delivered), "delivery_date": delivery,
                                    "receipt_date": receipt if receipt is not None else delivery})
        return oid

    def open_order(self, inst: str, qty: float, day: dt.date, delivery: dt.date, product: str = "P1") -> str:
        """An order delivered but never confirmed as received."""
        oid = self.order(inst, qty, product, day, delivery=delivery)
        self.rows["orders"][-1]["receipt_date"] = None
        return oid

    def baseline(self, inst: str, product: str, qty: float, year: int = 2025) -> None:
        self.rows["baseline"].append({"institution_code": inst, "product_code": product, "year": year, "prior_year_qty": qty})

    def complaint(self, cid: str, raised, reply=None, promised=None, resolved=None, enterprise: str = "M1",
                  inst: str | None = None) -> None:
        self.rows["complaints"].append({"complaint_id": cid, "institution_code": inst or self.rows["institutions"][0]["institution_code"],
                                        "enterprise_code": enterprise, "issue_type": "供货不及时", "raised_date": raised,
                                        "reply_date": reply, "promised_date": promised, "resolved_date": resolved})

    def save(self):
        with self.store.begin() as conn:
            for name in ("enterprises", "institutions", "products", "agreements", "baseline", "orders", "complaints"):
                if self.rows[name]:
                    db.upsert(conn, S.DATA_TABLES[name], pd.DataFrame(self.rows[name]))
            self.store.bump_data_version(conn)
        return self.store

    def flags(self, as_of: dt.date = T, flag_id: str | None = None) -> pd.DataFrame:
        self.save()
        frame = tables.flags(self.store, as_of)
        return frame if flag_id is None else frame[frame["flag_id"] == flag_id]


def found(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(subject_code, detail_code) -> severity."""
    return {(r.subject_code, r.detail_code): r.severity for r in frame.itertuples()}
