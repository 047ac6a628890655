"""The facts the flags are computed from, read from the store at as-of date T.

Heavy work stays in the database: one pass over the orders aggregates them to
institution x product with conditional sums; order-level checks fetch only the orders
that can possibly be flagged. The results are small frames.
"""
from __future__ import annotations

import datetime as dt
import functools

import pandas as pd

from .workdays import DEFAULT as CAL, Calendar

_INST_PRODUCT = """
SELECT o.institution_code, o.product_code,
       SUM(o.order_qty) AS purchased_qty,
       SUM(CASE WHEN o.order_date <= :grace THEN o.order_qty ELSE 0 END) AS rate_order_qty,
       SUM(CASE WHEN o.order_date <= :grace AND (o.delivery_date IS NULL OR o.delivery_date <= :t)
                THEN COALESCE(o.delivered_qty, 0) ELSE 0 END) AS rate_delivered_qty,
       COUNT(*) AS count_orders
FROM orders o
WHERE o.order_date >= :start AND o.order_date <= :t
GROUP BY o.institution_code, o.product_code
"""

_AGREEMENTS = """
SELECT institution_code, product_code, period_start, period_end, reported_qty, prior_year_qty, agreed_qty,
       distributor_code
FROM agreements WHERE period_start <= :t AND period_end >= :t
"""

_IN_FORCE = "a.period_start <= :t AND a.period_end >= :t"


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_datetime(frame[c]).dt.date
        frame[c] = frame[c].where(frame[c].notna(), None)
    return frame


class Facts:
    def __init__(self, store, as_of: dt.date | None = None, calendar: Calendar = CAL):
        self.store = store
        self.settings = store.settings()
        self.calendar = calendar
        self.as_of = as_of or self.latest_order_date()
        self.period_start, self.period_end = self._period()
        days = (self.period_end - self.period_start).days + 1
        self.schedule = min(1.0, max(0.0, ((self.as_of - self.period_start).days + 1) / days))
        self.grace = self.as_of - dt.timedelta(days=int(self.settings["delivery_grace_days"]))

    # -- parameters -------------------------------------------------------------------
    def _d(self, day: dt.date):
        return day if self.store.is_postgres else day.isoformat()

    def params(self, **extra) -> dict:
        return {"t": self._d(self.as_of), "start": self._d(self.period_start), "grace": self._d(self.grace), **extra}

    def latest_order_date(self) -> dt.date:
        value = self.store.read("SELECT MAX(order_date) AS d FROM orders")["d"].iloc[0]
        return pd.Timestamp(value).date() if value is not None else dt.date.today()

    def _period(self) -> tuple[dt.date, dt.date]:
        t = self._d(self.as_of)
        row = self.store.read("SELECT MIN(period_start) AS s, MAX(period_end) AS e FROM agreements "
                              "WHERE period_start <= :t AND period_end >= :t", {"t": t}).iloc[0]
        if row["s"] is None:
            return dt.date(self.as_of.year, 1, 1), dt.date(self.as_of.year, 12, 31)
        return pd.Timestamp(row["s"]).date(), pd.Timestamp(row["e"]).date()

    def _days_between(self, later: str, earlier: str) -> str:
        if self.store.is_postgres:
            return f"({later} - {earlier})"
        return f"(julianday({later}) - julianday({earlier}))"

    # -- small frames -------------------------------------------------------------------
    @functools.cached_property
    def institutions(self) -> pd.DataFrame:
        return self.store.read("""SELECT i.institution_code, i.level, i.is_primary, i.county_code, k.parent_code AS city_code
                                  FROM institutions i JOIN regions k ON k.region_code = i.county_code""").assign(
            is_primary=lambda f: f["is_primary"].astype(bool))

    @functools.cached_property
    def agreements(self) -> pd.DataFrame:
        return self.store.read(_AGREEMENTS, self.params())

    @functools.cached_property
    def products(self) -> pd.DataFrame:
        return self.store.read("SELECT product_code, generic_name, dosage_form, status, manufacturer_code FROM products")

    @property
    def selected_groups(self) -> list[str]:
        p = self.products[self.products["status"] == "中选"]
        return sorted(set(p["generic_name"] + "|" + p["dosage_form"]))

    @functools.cached_property
    def inst_product(self) -> pd.DataFrame:
        """Institution x product: purchases in the period, the delivery-rate window, the agreement, the baseline."""
        orders = self.store.read(_INST_PRODUCT, self.params())
        agr = self.agreements[["institution_code", "product_code", "agreed_qty", "reported_qty", "prior_year_qty"]]
        out = orders.merge(agr, on=["institution_code", "product_code"], how="outer")
        base = self.store.read("SELECT institution_code, product_code, prior_year_qty AS baseline_qty FROM baseline "
                               "WHERE year = :y", {"y": self.period_start.year - 1})
        out = out.merge(base, on=["institution_code", "product_code"], how="left")
        out = out.merge(self.products, on="product_code", how="left")
        for c in ("purchased_qty", "rate_order_qty", "rate_delivered_qty", "count_orders"):
            out[c] = out[c].fillna(0.0)
        return out

    # -- candidate orders ----------------------------------------------------------------
    def offline_orders(self) -> pd.DataFrame:
        return self.store.read("SELECT order_id, institution_code FROM orders WHERE channel = '线下' "
                               "AND order_date >= :start AND order_date <= :t", self.params())

    def abnormal_candidates(self) -> pd.DataFrame:
        """Orders above their limit: k x the monthly agreed average with an agreement,
        Q3 + k x IQR of the product's order sizes (nearest-rank quartiles) without one."""
        s = self.settings
        agreed = self.store.read(f"""
            SELECT o.order_id, o.institution_code, o.order_qty, a.agreed_qty, a.period_start, a.period_end
            FROM orders o JOIN agreements a ON a.institution_code = o.institution_code
                 AND a.product_code = o.product_code AND {_IN_FORCE} AND a.agreed_qty > 0
            WHERE o.order_date >= :start AND o.order_date <= :t AND o.order_qty * 36 > :k * a.agreed_qty""",
                                 self.params(k=s["abnormal_order_multiple"]))
        _dates(agreed, "period_start", "period_end")
        months = [(e.year - b.year) * 12 + e.month - b.month + 1 for b, e in zip(agreed["period_start"], agreed["period_end"])]
        agreed["limit_qty"] = s["abnormal_order_multiple"] * agreed["agreed_qty"] / pd.Series(months, index=agreed.index, dtype=float)
        free = self.store.read(f"""
            WITH sized AS (
                SELECT product_code, order_qty,
                       ROW_NUMBER() OVER (PARTITION BY product_code ORDER BY order_qty) AS rn,
                       COUNT(*) OVER (PARTITION BY product_code) AS n
                FROM orders WHERE order_date >= :start AND order_date <= :t AND product_code IN (
                    SELECT DISTINCT o.product_code FROM orders o
                    LEFT JOIN agreements a ON a.institution_code = o.institution_code
                         AND a.product_code = o.product_code AND {_IN_FORCE} AND a.agreed_qty > 0
                    WHERE a.institution_code IS NULL AND o.order_date >= :start AND o.order_date <= :t)),
            quart AS (
                SELECT product_code, MAX(CASE WHEN rn = (n + 3) / 4 THEN order_qty END) AS q1,
                       MAX(CASE WHEN rn = (3 * n + 3) / 4 THEN order_qty END) AS q3
                FROM sized GROUP BY product_code)
            SELECT o.order_id, o.institution_code, o.order_qty, q.q3 + :k * (q.q3 - q.q1) AS limit_qty
            FROM orders o JOIN quart q ON q.product_code = o.product_code
            LEFT JOIN agreements a ON a.institution_code = o.institution_code AND a.product_code = o.product_code
                 AND {_IN_FORCE} AND a.agreed_qty > 0
            WHERE a.institution_code IS NULL AND o.order_date >= :start AND o.order_date <= :t
              AND o.order_qty > q.q3 + :k * (q.q3 - q.q1)""", self.params(k=s["abnormal_order_iqr_k"]))
        cols = ["order_id", "institution_code", "order_qty", "limit_qty"]
        return pd.concat([agreed[cols], free[cols]], ignore_index=True)

    def receipt_candidates(self) -> pd.DataFrame:
        """Delivered orders confirmed more than n calendar days later, or not confirmed n days after:
        a necessary condition for n working days; the exact rule is applied by the caller."""
        n = int(self.settings["receipt_confirm_workdays"])
        late = self._days_between("receipt_date", "delivery_date")
        frame = self.store.read(f"""
            SELECT order_id, institution_code, delivery_date, receipt_date FROM orders
            WHERE delivery_date IS NOT NULL AND delivery_date <= :t AND order_date >= :start
              AND ((receipt_date IS NOT NULL AND receipt_date <= :t AND {late} > :n)
                   OR ((receipt_date IS NULL OR receipt_date > :t) AND delivery_date < :cut))""",
                                self.params(n=n, cut=self._d(self.as_of - dt.timedelta(days=n))))
        frame = _dates(frame, "delivery_date", "receipt_date")
        # A receipt after T had not happened at T.
        frame["receipt_date"] = [r if r is not None and r <= self.as_of else None for r in frame["receipt_date"]]
        return frame

    # -- complaints and enterprises ---------------------------------------------------------
    @functools.cached_property
    def complaints(self) -> pd.DataFrame:
        frame = self.store.read("SELECT complaint_id, institution_code, enterprise_code, raised_date, reply_date, "
                                "promised_date, resolved_date FROM complaints WHERE raised_date <= :t", self.params())
        frame = _dates(frame, "raised_date", "reply_date", "promised_date", "resolved_date")
        for c in ("reply_date", "promised_date", "resolved_date"):  # what happened after T had not happened at T
            frame[c] = [d if d is not None and d <= self.as_of else None for d in frame[c]]
        return frame

    def complaint_timeliness(self) -> pd.DataFrame:
        """Per complaint: working days to the reply and to the promise, late or not, timely or not, counted or not."""
        s, cal, t = self.settings, self.calendar, self.as_of
        reply_days, resolve_days = int(s["complaint_reply_workdays"]), int(s["complaint_resolve_workdays"])
        rows = []
        for c in self.complaints.itertuples(index=False):
            reply_deadline = cal.add(c.raised_date, reply_days)
            reply_late = (c.reply_date > reply_deadline) if c.reply_date else t > reply_deadline
            promise_wd = cal.between(c.reply_date, c.promised_date) if c.reply_date and c.promised_date else float("nan")
            long_promise = promise_wd == promise_wd and promise_wd > resolve_days
            if c.promised_date:
                late_fix = (c.resolved_date > c.promised_date) if c.resolved_date else t > c.promised_date
            else:
                late_fix = False
            timely = (bool(c.reply_date) and not reply_late and bool(c.promised_date) and not long_promise
                      and bool(c.resolved_date) and c.resolved_date <= c.promised_date)
            counted = cal.between(c.raised_date, t) >= int(s["timely_min_age_workdays"])
            rows.append({"complaint_id": c.complaint_id, "institution_code": c.institution_code,
                         "enterprise_code": c.enterprise_code, "reply_workdays": cal.between(c.raised_date, c.reply_date or t),
                         "promise_workdays": promise_wd, "reply_late": bool(reply_late),
                         "unresolved": bool(long_promise or late_fix), "timely": bool(timely), "counted": bool(counted)})
        frame = pd.DataFrame(rows, columns=["complaint_id", "institution_code", "enterprise_code", "reply_workdays",
                                            "promise_workdays", "reply_late", "unresolved", "timely", "counted"])
        return frame.astype({"reply_late": bool, "unresolved": bool, "timely": bool, "counted": bool})

    def enterprise_delivery(self) -> pd.DataFrame:
        """Delivered and ordered quantities of selected products to agreement holders, by manufacturer and by distributor."""
        pairs = self.store.read(f"""
            SELECT p.manufacturer_code, o.distributor_code,
                   SUM(COALESCE(o.delivered_qty, 0)) AS delivered_qty, SUM(o.order_qty) AS ordered_qty
            FROM orders o JOIN products p ON p.product_code = o.product_code AND p.status = '中选'
            JOIN agreements a ON a.institution_code = o.institution_code AND a.product_code = o.product_code
                 AND {_IN_FORCE}
            WHERE o.order_date >= :start AND o.order_date <= :grace
            GROUP BY p.manufacturer_code, o.distributor_code""", self.params())
        by_maker = pairs.groupby("manufacturer_code")[["delivered_qty", "ordered_qty"]].sum()
        by_dist = pairs.dropna(subset=["distributor_code"]).groupby("distributor_code")[["delivered_qty", "ordered_qty"]].sum()
        both = pd.concat([by_maker, by_dist])
        both.index.name = "enterprise_code"
        return both.groupby(level=0).sum().reset_index()

    def enterprise_complaints(self) -> pd.DataFrame:
        c = self.complaint_timeliness()
        c = c[c["counted"]]
        return c.groupby("enterprise_code", as_index=False).agg(count_complaints=("complaint_id", "count"),
                                                                count_timely=("timely", "sum"))
