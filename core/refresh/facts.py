"""The facts the flags are computed from, read from the store at as-of date T.

Heavy work stays in the database: one pass over the orders aggregates them to
institution x product with conditional sums; order-level checks fetch only the orders
that can possibly be flagged. The results are small frames.
"""
from __future__ import annotations

import datetime as dt
import functools
from concurrent.futures import Executor

import pandas as pd

from core.policy import cases
from core.policy import complaints as complaint_rule
from core.policy.workdays import Calendar
from core.policy.workdays import DEFAULT as CAL
from core.policy.periods import earlier_ends
from core.refresh.orderpass import KEYS, SUMS, OrdersPass
from core.store.db import index_hint, read_large

# The agreements in force at T, or (:low before T) at any day of [low, T]: one read serves T and its month ends.
_AGREEMENTS = """
SELECT institution_code, product_code, period_start, period_end, reported_qty, prior_year_qty, agreed_qty,
       distributor_code
FROM agreements o WHERE period_start <= :t AND period_end >= :low {cat}
"""

_OF_CATEGORY = " AND {alias}.product_code IN (SELECT product_code FROM products WHERE category = :cat)"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects: the many small selections and merges of a refresh take rows of
    object columns faster than of pandas' text dtype (whatever its storage, see core/__init__.py)."""
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) and frame[c].dtype != object]
    return frame.astype({c: object for c in text}) if text else frame


def once(compute):
    """A function of one Facts worked out once per Facts and kept on it (the flags, the rollup and the marts
    ask several times). Unlike functools.cache, it does not keep every Facts, its pass over the orders
    included, alive in the server process after the refresh."""
    name = f"_once_{compute.__name__}"

    @functools.wraps(compute)
    def kept(f):
        if name not in f.__dict__:
            f.__dict__[name] = compute(f)
        return f.__dict__[name]
    return kept


def _less(sums: pd.DataFrame, part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`sums` with `part`'s sums (rows of some of its keys) taken off, row for row."""
    if not len(part):
        return sums
    columns = [c for c in part.columns if c not in keys]
    part = part.astype({k: object for k in keys})  # a key all missing (no distributor) reads as numbers otherwise
    taken = sums[keys].astype(object).merge(part, on=keys, how="left")[columns].fillna(0).to_numpy(float)
    out = sums.copy()
    out[columns] = sums[columns].to_numpy(float) - taken
    out["count_orders"] = out["count_orders"].astype(sums["count_orders"].dtype)
    return out


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.Series([None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[c]],
                             index=frame.index, dtype=object)
    return frame


class Facts:
    """The facts at as-of date T, for every product or for one category (药品 or 耗材)."""

    def __init__(self, store, as_of: dt.date | None = None, calendar: Calendar = CAL, category: str = "",
                 like: "Facts | None" = None, settings: dict | None = None):
        """`like`: the Facts at a later T of the same category, whose store reads this one shares where
        they hold what it needs (the pass over the orders, the agreements, institutions and products).
        `settings`: other values than those in force (what a change of setting would do)."""
        self.store = store
        self.settings = settings if settings is not None else like.settings if like is not None else store.settings()
        self.calendar = calendar
        self.category = category
        self._like = like if like is not None and like.category == category else None
        self._early: dict = {}  # reads started by `prefetch`
        self.as_of = as_of or self.latest_order_date()
        self.period_start, self.period_end = self._period()
        days = (self.period_end - self.period_start).days + 1
        self.schedule = min(1.0, max(0.0, ((self.as_of - self.period_start).days + 1) / days))
        self.grace = self.as_of - dt.timedelta(days=int(self.settings["delivery_grace_days"]))

    # -- parameters -------------------------------------------------------------------
    def _d(self, day: dt.date):
        return self.store.day(day)

    def params(self, **extra) -> dict:
        return {"t": self._d(self.as_of), "start": self._d(self.period_start), "grace": self._d(self.grace),
                "cat": self.category, **extra}

    def of_category(self, alias: str = "o") -> str:
        """SQL that keeps the rows of `alias` whose product is of the chosen category (nothing when all)."""
        return _OF_CATEGORY.format(alias=alias) if self.category else ""

    def latest_order_date(self) -> dt.date:
        value = self.store.read("SELECT MAX(order_date) AS d FROM orders")["d"].iloc[0]
        return pd.Timestamp(value).date() if value is not None else dt.date.today()

    def _period(self) -> tuple[dt.date, dt.date]:
        t = self._d(self.as_of)
        row = self.store.read("SELECT MIN(period_start) AS s, MAX(period_end) AS e FROM agreements o "
                              "WHERE period_start <= :t AND period_end >= :t" + self.of_category(),
                              {"t": t, "cat": self.category}).iloc[0]
        if row["s"] is None:
            return dt.date(self.as_of.year, 1, 1), dt.date(self.as_of.year, 12, 31)
        return pd.Timestamp(row["s"]).date(), pd.Timestamp(row["e"]).date()

    # -- small frames -------------------------------------------------------------------
    @functools.cached_property
    def institutions(self) -> pd.DataFrame:
        if self._like is not None:
            return self._like.institutions
        return _plain(self.store.read("""SELECT i.institution_code, i.level, i.is_primary, i.county_code, k.prefecture_code AS city_code
                                  FROM institutions i JOIN regions k ON k.region_code = i.county_code""")).assign(
            is_primary=lambda f: f["is_primary"].astype(bool))

    @functools.cached_property
    def _agreements_span(self) -> pd.DataFrame:
        """The agreements in force on any day from the earliest of T's month ends to T, with the days of their
        period for filtering, and its length in months, a part month counting as one (period_months, for the
        abnormal-order limit: 01-15 to the next year's 01-14 is 12 months, 01-01 to 04-10 is 4)."""
        low = min([self.as_of] + earlier_ends(self.as_of))
        frame = read_large(self.store.engine, _AGREEMENTS.format(cat=self.of_category()), self.params(low=self._d(low)),
                           text=["institution_code", "product_code", "period_start", "period_end", "distributor_code"])
        start, end = pd.to_datetime(frame["period_start"]), pd.to_datetime(frame["period_end"])
        after = end + pd.Timedelta(days=1)  # the period ends before this day
        months = (after.dt.year - start.dt.year) * 12 + after.dt.month - start.dt.month + (after.dt.day > start.dt.day)
        return frame.assign(_from=start, _to=end, period_months=months.astype(float))

    @functools.cached_property
    def agreements(self) -> pd.DataFrame:
        """The agreements in force at T."""
        like = self._like
        span = like._agreements_span if like is not None and self.as_of <= like.as_of and \
            self.as_of >= min([like.as_of] + earlier_ends(like.as_of)) else self._agreements_span
        t = pd.Timestamp(self.as_of)
        kept = span[(span["_from"] <= t) & (span["_to"] >= t)]
        return kept.drop(columns=["_from", "_to"]).reset_index(drop=True)

    @property
    def period_count(self) -> int:
        """The agreement periods in force at T (rounds of different dates); one when none is."""
        return max(1, len(self.agreements[["period_start", "period_end"]].drop_duplicates()))

    @functools.cached_property
    def products(self) -> pd.DataFrame:
        if self._like is not None:
            return self._like.products
        frame = _plain(self.store.read("SELECT product_code, generic_name, dosage_form, status, manufacturer_code, "
                                       "substitute_generic, "
                                       "category FROM products"))
        return (frame[frame["category"] == self.category] if self.category else frame).drop(columns="category")

    @functools.cached_property
    def grouped_nonselected(self) -> frozenset:
        """The non-selected products of a VBP group: of the generic name and dosage form of a selected product (the
        ones indicator 5 weighs against the selected)."""
        p = self.products
        group = p["generic_name"] + "|" + p["dosage_form"]
        return frozenset(p.loc[(p["status"] == "非中选") & group.isin(group[p["status"] == "中选"]), "product_code"])

    @functools.cached_property
    def source(self) -> OrdersPass:
        """The one pass over the orders: shared with the Facts of earlier month ends when given, else made here."""
        if self._like is not None and self._like.source.serves(self.period_start, self.as_of):
            return self._like.source
        return OrdersPass(self.store, self.period_start, self.as_of, int(self.settings["delivery_grace_days"]),
                          self.of_category(), self.params(), meanwhile=self._read_small)

    def _read_small(self) -> None:
        """The small reads, done while the engine scans the orders."""
        for name in ("agreements", "institutions", "products", "baseline", "complaints"):
            getattr(self, name)

    @functools.cached_property
    def baseline(self) -> pd.DataFrame:
        """Last year's purchases of substitutable pairs (the year before the period's)."""
        if self._like is not None and self._like.period_start.year == self.period_start.year:
            return self._like.baseline
        return _plain(self.store.read("SELECT institution_code, product_code, prior_year_qty AS baseline_qty "
                                      "FROM baseline WHERE year = :y", {"y": self.period_start.year - 1}))

    @functools.cached_property
    def inst_product_distributor(self) -> pd.DataFrame:
        """Institution x product x distributor sums in the period at T (of a later round's agreement: from its own
        start, see `_before_start`)."""
        return _less(self.source.pairs_at(self.as_of), self._before_start, KEYS)

    def _schedules(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """Institution x product pairs with a period (period_start, period_end): its start and its schedule at T,
        (T - start + 1) / (its days)."""
        start, end = pd.to_datetime(pairs["period_start"]), pd.to_datetime(pairs["period_end"])
        days = (pd.Timestamp(self.as_of) - start).dt.days + 1
        schedule = (days / ((end - start).dt.days + 1)).clip(0.0, 1.0)
        return pairs[KEYS[:2]].assign(schedule=schedule.to_numpy(float), own_start=start.to_numpy())

    def _own_schedules(self) -> pd.DataFrame:
        """Each agreement's own start and schedule at T."""
        return self._schedules(self.agreements)

    @functools.cached_property
    def _substitute_schedules(self) -> pd.DataFrame:
        """Each substitutable product an institution bought, on the round of the generic it substitutes: the period
        of the institution's agreements in force at T for selected products of that generic (their earliest start
        to their latest end) and its schedule; none where it holds no such agreement (the view's period then)."""
        p, keys = self.products, KEYS[:2]
        if self.period_count == 1:  # every round is the view's period: nothing to tell apart
            return pd.DataFrame(columns=keys + ["schedule", "own_start"])
        subs = p.loc[p["status"] == "可替代", ["product_code", "substitute_generic"]]
        agr = self.agreements.merge(p.loc[p["status"] == "中选", ["product_code", "generic_name"]], on="product_code")
        if not len(subs) or not len(agr):
            return pd.DataFrame(columns=keys + ["schedule", "own_start"])
        agr = agr.assign(period_start=pd.to_datetime(agr["period_start"]), period_end=pd.to_datetime(agr["period_end"]))
        rounds = agr.groupby(["institution_code", "generic_name"], as_index=False).agg(
            period_start=("period_start", "min"), period_end=("period_end", "max"))
        pairs = rounds.merge(subs, left_on="generic_name", right_on="substitute_generic")
        bought = self.source.ips_at(self.as_of)[keys]
        pairs = pairs.merge(bought, on=keys).drop_duplicates(keys)  # one round a pair (the first generic's)
        own = pd.MultiIndex.from_frame(self.agreements[keys])
        pairs = pairs[~pd.MultiIndex.from_frame(pairs[keys]).isin(own)]  # an agreement of its own runs on its own
        return self._schedules(pairs)

    # The orders of the agreements in force at T that start after the view's period does, placed before their start:
    # one join, however many such agreements (a later round of a whole province).
    # SQLite: the agreements outside (CROSS JOIN keeps the order), each pair's orders found by the pass's index (its
    # planner would scan every order of the period by date first).
    _EARLY = """
        SELECT o.order_id, o.institution_code, o.product_code, o.distributor_code, o.order_qty, o.order_date,
               o.delivered_qty, o.delivery_date
        FROM agreements a CROSS JOIN orders o {hint}
        WHERE o.institution_code = a.institution_code AND o.product_code = a.product_code
          AND a.period_start <= :t AND a.period_end >= :t AND a.period_start > :start
          AND o.order_date >= :start AND o.order_date < a.period_start {cat}"""

    @functools.cached_property
    def early_orders(self) -> pd.DataFrame:
        """The orders of a pair whose round starts after the view's period does (its agreement's, or for a
        substitutable drug the round of the generic it substitutes) placed before that start, one row each with what
        it adds to the pass's sums at T (its month, purchased, the delivery-rate window's ordered and delivered): they
        are not its round's, so its purchases, its delivery-rate window ([its start, T - grace days], indicators.md)
        and its monthly series run from its own start. Its order still counts among the orders of the period
        (indicator 7 weighs every order's behaviour, whichever round it fell in), so no order is taken off."""
        columns = KEYS + ["order_month"] + SUMS[:4]
        start = pd.Timestamp(self.period_start)
        own = self._own_schedules()
        agreed = own.iloc[0:0]
        if (own["own_start"] > start).any():  # a later round is in force (with one period, none is)
            agreed = self.store.read(self._EARLY.format(cat=self.of_category(),
                                                        hint=index_hint(self.store, "ix_orders_pass")), self.params())
            agreed = agreed.merge(own[KEYS[:2] + ["own_start"]], on=KEYS[:2])
        subs = self._substitute_schedules
        subs = subs[(subs["own_start"] > start)]
        found = [agreed]
        if len(subs):
            found.append(self._orders_of_pairs(subs[KEYS[:2]]).merge(subs[KEYS[:2] + ["own_start"]], on=KEYS[:2]))
        early = pd.concat([f for f in found if len(f)], ignore_index=True) if any(len(f) for f in found) else agreed
        if not len(early):
            return pd.DataFrame(columns=columns)
        placed = pd.to_datetime(early["order_date"])
        early, placed = early[placed < early["own_start"]], placed[placed < early["own_start"]]
        in_window = placed <= pd.Timestamp(self.grace)
        delivered_by_t = ~(pd.to_datetime(early["delivery_date"]) > pd.Timestamp(self.as_of))
        qty = early["order_qty"].astype(float)
        return early.assign(order_month=placed.dt.year * 100 + placed.dt.month, purchased_qty=qty,
                            rate_order_qty=qty.where(in_window, 0.0),
                            rate_delivered_qty=pd.to_numeric(early["delivered_qty"]).fillna(0.0).where(
                                in_window & delivered_by_t, 0.0),
                            count_orders=0)[columns].reset_index(drop=True)

    @functools.cached_property
    def _before_start(self) -> pd.DataFrame:
        """`early_orders` summed by institution x product x distributor."""
        early = self.early_orders
        if not len(early):
            return pd.DataFrame(columns=KEYS + SUMS[:4])
        return early.groupby(KEYS, dropna=False, as_index=False)[SUMS[:4]].sum()

    @functools.cached_property
    def inst_product(self) -> pd.DataFrame:
        """Institution x product: purchases in the period, the delivery-rate window (of a later round's agreement:
        from its own start), the agreement with its own schedule, the baseline."""
        keys = ["institution_code", "product_code"]
        sums = ["purchased_qty", "rate_order_qty", "rate_delivered_qty", "count_orders"]
        early = self._before_start.groupby(keys, as_index=False)[sums].sum() if len(self._before_start) else \
            pd.DataFrame(columns=keys + sums)
        orders = _less(self.source.ips_at(self.as_of), early, keys)
        agr = self.agreements[keys + ["agreed_qty", "reported_qty", "prior_year_qty", "period_months"]].merge(
            self._own_schedules(), on=keys)
        out = orders.merge(agr, on=keys, how="outer")
        subs = self._substitute_schedules[keys + ["schedule"]].rename(columns={"schedule": "round_schedule"})
        out = out.merge(subs, on=keys, how="left")  # a substitutable product on its generic's round
        out["schedule"] = out["schedule"].astype(float).fillna(out.pop("round_schedule").astype(float))
        out = out.merge(self.baseline, on=keys, how="left")
        out = out.merge(self.products, on="product_code", how="left")
        for c in sums + ["max_order_qty"]:
            out[c] = out[c].fillna(0.0)
        for c in ("agreed_qty", "reported_qty", "prior_year_qty", "period_months", "baseline_qty"):
            out[c] = out[c].astype(float)  # numbers (missing as NaN) even when no agreement or baseline was read
        # Start finding the order-size quartiles the abnormal-order rule will need (pairs without an agreement).
        self.source.read_quartiles(list(out.loc[~(out["agreed_qty"] > 0) & (out["count_orders"] > 0), "product_code"]),
                                   self.as_of)
        return out

    # -- candidate orders ----------------------------------------------------------------
    def prefetch(self, pool: Executor) -> None:
        """Start the order-level reads (offline orders, receipt candidates) on `pool`: they need nothing of the
        pass over the orders, so the engine can answer them while the pass runs."""
        self._early = {name: pool.submit(getattr(self, "_" + name)) for name in ("offline_orders", "receipt_candidates")}

    def _prefetched(self, name: str) -> pd.DataFrame:
        early = self._early.get(name)
        return early.result() if early is not None else getattr(self, "_" + name)()

    def offline_orders(self) -> pd.DataFrame:
        return self._prefetched("offline_orders")

    def receipt_candidates(self) -> pd.DataFrame:
        """Delivered orders confirmed more than n calendar days after delivery, or not confirmed and delivered
        more than n days before T: a necessary condition for n working days, found by index (the receipt lag,
        the unconfirmed deliveries); the exact rule is applied by the caller. A receipt after T had not
        happened at T, and its lag is then above n."""
        return self._prefetched("receipt_candidates")

    def _offline_orders(self) -> pd.DataFrame:
        """Offline orders in the period of a product of a VBP group (a selected product's, or one of the same generic
        name and dosage form): 违规线下采购 concerns the products procured by volume, not every drug."""
        return self.store.read(
            f"SELECT o.order_id, o.institution_code FROM orders o {index_hint(self.store, 'ix_orders_offline')} "
            "JOIN products p ON p.product_code = o.product_code "
            "WHERE o.channel = '线下' AND o.order_date >= :start AND o.order_date <= :t "
            "AND EXISTS (SELECT 1 FROM products s "
            "WHERE s.status = '中选' AND s.generic_name = p.generic_name AND s.dosage_form = p.dosage_form)"
            + self.of_category(), self.params())

    def _orders_of_pairs(self, pairs: pd.DataFrame, extra: str = "") -> pd.DataFrame:
        """Orders in the period of the given institution x product pairs (few), through the covering index."""
        frames = []
        for start in range(0, len(pairs), 200):
            chunk = pairs.iloc[start:start + 200]
            cond = " OR ".join(f"(institution_code = :i{n} AND product_code = :p{n})" for n in range(len(chunk)))
            params = self.params(**{f"i{n}": i for n, i in enumerate(chunk["institution_code"])},
                                 **{f"p{n}": p for n, p in enumerate(chunk["product_code"])})
            frames.append(self.store.read(
                f"SELECT order_id, institution_code, product_code, distributor_code, order_qty, order_date, "
                f"delivered_qty, delivery_date FROM orders "
                f"{index_hint(self.store, 'ix_orders_pass')} "
                f"WHERE ({cond}) AND order_date >= :start AND order_date <= :t {extra}", params))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["order_id", "institution_code", "product_code", "distributor_code", "order_qty", "order_date",
                     "delivered_qty", "delivery_date"])

    def abnormal_candidates(self) -> pd.DataFrame:
        """Orders above their limit: k x the monthly agreed average with an agreement,
        Q3 + k x IQR of the product's order sizes (nearest-rank quartiles) without one."""
        s, ip = self.settings, self.inst_product
        cols = ["order_id", "institution_code", "order_qty", "limit_qty"]
        limit = s["abnormal_order_multiple"] * ip["agreed_qty"] / ip["period_months"]
        over = (ip["agreed_qty"] > 0) & (ip["max_order_qty"] > limit)
        suspects = ip.loc[over, ["institution_code", "product_code", "own_start"]].assign(limit_qty=limit[over])
        agreed = self._orders_of_pairs(suspects).merge(suspects, on=["institution_code", "product_code"])
        # An order placed before its agreement's round began is not held to that agreement's average.
        agreed = agreed[(agreed["order_qty"] > agreed["limit_qty"]) &
                        (pd.to_datetime(agreed["order_date"]) >= agreed["own_start"])]
        free_pairs = ip[~(ip["agreed_qty"] > 0) & (ip["count_orders"] > 0)]
        products = sorted(free_pairs["product_code"].unique())
        if not products:
            return agreed[cols]
        quart = self.source.quartiles(products, self.as_of)
        quart = quart.assign(limit_qty=quart["q3"] + s["abnormal_order_iqr_k"] * (quart["q3"] - quart["q1"]))
        free = free_pairs.merge(quart[["product_code", "limit_qty"]], on="product_code")
        free = free[free["max_order_qty"] > free["limit_qty"]]
        big = self._orders_of_pairs(free).merge(free[["institution_code", "product_code", "limit_qty"]],
                                                on=["institution_code", "product_code"])
        big = big[big["order_qty"] > big["limit_qty"]]
        return pd.concat([agreed[cols], big[cols]], ignore_index=True)

    def _receipt_candidates(self) -> pd.DataFrame:
        n = int(self.settings["receipt_confirm_workdays"])
        columns = "o.order_id, o.institution_code, o.delivery_date, o.receipt_date"
        frame = self.store.read(f"""
            SELECT {columns} FROM orders o {index_hint(self.store, "ix_orders_receipt_lag")}
            WHERE o.receipt_lag > :n AND o.delivery_date <= :t AND o.order_date >= :start {self.of_category()}
            UNION ALL
            SELECT {columns} FROM orders o {index_hint(self.store, "ix_orders_unconfirmed")}
            WHERE o.receipt_date IS NULL AND o.delivery_date IS NOT NULL AND o.delivery_date < :cut
              AND o.order_date >= :start {self.of_category()}""",
                                self.params(n=n, cut=self._d(self.as_of - dt.timedelta(days=n))))
        frame = _dates(frame, "delivery_date", "receipt_date")
        frame["receipt_date"] = [r if r is not None and r <= self.as_of else None for r in frame["receipt_date"]]
        cut = self.as_of - dt.timedelta(days=n)
        late = [(r is not None and (r - d).days > n) or (r is None and d < cut)
                for d, r in zip(frame["delivery_date"], frame["receipt_date"])]
        return frame[late].reset_index(drop=True)

    # -- complaints and enterprises ---------------------------------------------------------
    @functools.cached_property
    def complaints(self) -> pd.DataFrame:
        frame = self.store.read("SELECT complaint_id, institution_code, enterprise_code, raised_date, reply_date, "
                                "promised_date, resolved_date FROM complaints o WHERE raised_date <= :t"
                                + self.of_category(), self.params())
        return _dates(frame, "raised_date", "reply_date", "promised_date", "resolved_date")

    @once
    def complaint_timeliness(self) -> pd.DataFrame:
        """Per complaint: working days to the reply and to the promise, late or not, timely or not, counted or not
        (core.policy.complaints, the rule every complaint follows). The timely-resolution rate counts the
        complaints of institutions holding an agreed volume at T (有约定量医疗机构, 二（七）); every complaint is judged
        and flagged."""
        agreed = self.agreements
        holders = set(agreed.loc[agreed["agreed_qty"] > 0, "institution_code"])
        rows = []
        for c in self.complaints.itertuples(index=False):
            r = complaint_rule.timeliness(c.raised_date, c.reply_date, c.promised_date, c.resolved_date, self.as_of,
                                          self.settings, self.calendar)
            rows.append({"complaint_id": c.complaint_id, "institution_code": c.institution_code,
                         "enterprise_code": c.enterprise_code, "reply_workdays": r.reply_workdays,
                         "promise_workdays": r.promise_workdays, "reply_late": r.reply_late,
                         "unresolved": r.unresolved, "timely": r.timely,
                         "counted": r.counted and c.institution_code in holders})
        frame = pd.DataFrame(rows, columns=["complaint_id", "institution_code", "enterprise_code", "reply_workdays",
                                            "promise_workdays", "reply_late", "unresolved", "timely", "counted"])
        return frame.astype({"reply_late": bool, "unresolved": bool, "timely": bool, "counted": bool})

    @once
    def _supply_pairs(self) -> pd.DataFrame:
        """Institution x product x distributor sums of selected products delivered to agreement holders (an agreed
        volume above zero, as indicator 2 counts them)."""
        agreed = self.agreements[self.agreements["agreed_qty"] > 0]
        held = agreed[["institution_code", "product_code"]].drop_duplicates()
        sel = self.products[self.products["status"] == "中选"][["product_code", "manufacturer_code"]]
        return self.inst_product_distributor.merge(held, on=["institution_code", "product_code"]).merge(sel, on="product_code")

    @staticmethod
    def _by_others(pairs: pd.DataFrame) -> pd.DataFrame:
        """The rows a distributor answers for besides their manufacturer: a manufacturer that delivers its own product
        answers for it once, as its manufacturer."""
        known = pairs.dropna(subset=["distributor_code"])
        return known[known["distributor_code"] != known["manufacturer_code"]]

    @once
    def enterprise_products(self) -> pd.DataFrame:
        """Each manufacturer's and distributor's purchases, ordered (the delivery-rate window) and delivered
        quantities by institution and product, over agreement holders' orders of selected products."""
        pairs = self._supply_pairs()
        sums = ["purchased_qty", "rate_order_qty", "rate_delivered_qty"]
        keys = ["enterprise_code", "institution_code", "product_code"]
        makers = pairs.groupby(["manufacturer_code", "institution_code", "product_code"])[sums].sum().rename_axis(keys)
        dists = self._by_others(pairs).groupby(["distributor_code", "institution_code",
                                                "product_code"])[sums].sum().rename_axis(keys)
        both = pd.concat([makers, dists]).groupby(level=[0, 1, 2]).sum().reset_index()
        return both.rename(columns={"rate_delivered_qty": "delivered_qty", "rate_order_qty": "ordered_qty"})

    def enterprise_institutions(self) -> pd.DataFrame:
        """Each manufacturer's and distributor's delivered and ordered quantities by institution."""
        return self.enterprise_products().groupby(["enterprise_code", "institution_code"], as_index=False)[
            ["delivered_qty", "ordered_qty"]].sum()

    @once
    def enterprise_delivery(self) -> pd.DataFrame:
        """Delivered and ordered quantities of selected products to agreement holders, by manufacturer and by distributor."""
        pairs = self._supply_pairs()
        sums = ["rate_delivered_qty", "rate_order_qty"]
        by_maker = pairs.groupby("manufacturer_code")[sums].sum()
        by_dist = self._by_others(pairs).groupby("distributor_code")[sums].sum()
        both = pd.concat([by_maker, by_dist])
        both.index.name = "enterprise_code"
        both = both.groupby(level=0).sum().reset_index()
        return both.rename(columns={"rate_delivered_qty": "delivered_qty", "rate_order_qty": "ordered_qty"})

    def cooperation_records(self) -> pd.DataFrame:
        """Per enterprise: the non-cooperation (不配合) recorded on its tier case with a date in the period, counted
        once per officer and day of recording: an officer's records entered on one day count once, however many
        dates they name (three back-dated records entered at one sitting do not make tier D; three refusals recorded
        as they happened do). The figures of the latest data count the records made since (the data lag the officers'
        work); figures of an earlier day count the records dated by that day."""
        end = self.period_end if self.as_of >= self.latest_order_date() else self.as_of
        rows = self.store.read("SELECT subject_code AS enterprise_code, recorded_by, recorded_at FROM actions "
                               "WHERE case_kind = 'tier' AND status = :s AND withdrawn_at IS NULL "
                               "AND action_date >= :start AND action_date <= :end",
                               {"s": cases.UNCOOPERATIVE, "start": self._d(self.period_start), "end": self._d(end)})
        rows["day"] = pd.to_datetime(rows["recorded_at"]).dt.date
        counted = rows.drop_duplicates(["enterprise_code", "recorded_by", "day"])
        return counted.groupby("enterprise_code", as_index=False).size().rename(columns={"size": "count_uncooperative"})

    def enterprise_complaints(self) -> pd.DataFrame:
        c = self.complaint_timeliness()
        c = c[c["counted"]]
        return c.groupby("enterprise_code", as_index=False).agg(count_complaints=("complaint_id", "count"),
                                                                count_timely=("timely", "sum"))
