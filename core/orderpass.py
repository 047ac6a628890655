"""The one pass over the orders that a refresh makes.

The orders are read once, in the order of their `ix_orders_pass` index, grouped by institution x product
x distributor x order month, with plain sums and the deliveries made after T and after the last month's
and the last quarter's end. From that frame come the institution x product x distributor sums at those
three dates and the monthly series. The orders placed in the grace days before each date, which a month
cannot tell apart, are read from a small window of the order-date index.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import numpy as np
import pandas as pd

from .db import index_hint, read_large

KEYS = ["institution_code", "product_code", "distributor_code"]
SUMS = ["purchased_qty", "rate_order_qty", "rate_delivered_qty", "count_orders", "max_order_qty"]

_PASS = """
SELECT o.institution_code, o.product_code, o.distributor_code, o.order_month,
       SUM(o.order_qty) AS qty, COUNT(*) AS n, MAX(o.order_qty) AS max_qty, SUM(o.delivered_qty) AS delivered
       {after}
FROM orders o {hint}
WHERE o.order_date >= :start AND o.order_date <= :t {cat} {part}
GROUP BY o.institution_code, o.product_code, o.distributor_code, o.order_month
"""

# The pass is read in parts split at institution codes, on two connections at once: the engine scans each
# part of the index on a core of its own (SQLite's driver lets go of Python's lock while it steps;
# PostgreSQL serves each connection in its own process). More parts than workers measured slower here.
PARTS, WORKERS = 2, 2
_BOUNDS = """
SELECT institution_code FROM (
    SELECT institution_code, ROW_NUMBER() OVER (ORDER BY institution_code) AS k, COUNT(*) OVER () AS n
    FROM institutions) ranked
WHERE {cuts}
"""


# Orders placed in the grace days before a date x: left out of the delivery rate at x.
_WINDOW = """
SELECT o.institution_code, o.product_code, o.distributor_code, o.order_month, SUM(o.order_qty) AS qty,
       SUM(CASE WHEN o.delivery_date IS NULL OR o.delivery_date <= :x THEN COALESCE(o.delivered_qty, 0) ELSE 0 END)
           AS delivered
FROM orders o
WHERE o.order_date > :grace AND o.order_date <= :x AND o.order_date >= :start {cat}
GROUP BY o.institution_code, o.product_code, o.distributor_code, o.order_month
"""


def month_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def earlier_month_ends(t: dt.date) -> list[dt.date]:
    """The last month's end and the last quarter's end before T (the overview's and the ladder's dates)."""
    month_end = t.replace(day=1) - dt.timedelta(days=1)
    quarter_end = dt.date(t.year, 3 * ((t.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
    return sorted({month_end, quarter_end}, reverse=True)


class OrdersPass:
    """The orders of [start, T] (of one category or all), read once."""

    def __init__(self, store, start: dt.date, t: dt.date, grace_days: int, category_sql: str, params: dict,
                 meanwhile: Callable[[], object] | None = None):
        """`meanwhile`: work of this process (small reads) done while the engine scans the orders."""
        self.store, self.start, self.t, self.grace_days = store, start, t, grace_days
        self.category_sql, self.params = category_sql, params
        self.dates = [t] + [x for x in earlier_month_ends(t) if x >= start]  # T, last month's and quarter's end
        d = (lambda day: day) if store.is_postgres else (lambda day: day.isoformat())
        after = "".join(f", SUM(o.delivered_qty) FILTER (WHERE o.delivery_date > :x{i}) AS after_{i}"
                        for i in range(len(self.dates)))
        bound = {**params, **{f"x{i}": d(x) for i, x in enumerate(self.dates)}}
        hint = index_hint(store, "ix_orders_pass")
        cuts = " OR ".join(f"k = (n * {i}) / {PARTS} + 1" for i in range(1, PARTS))
        bounds = sorted(set(store.read(_BOUNDS.format(cuts=cuts))["institution_code"]))
        edges = [None] + bounds + [None]
        parts = [" ".join(([f"AND o.institution_code >= :lo{i}"] if lo is not None else []) +
                          ([f"AND o.institution_code < :hi{i}"] if hi is not None else []))
                 for i, (lo, hi) in enumerate(zip(edges, edges[1:]))]
        edge_params = {**{f"lo{i}": lo for i, lo in enumerate(edges[:-1]) if lo is not None},
                       **{f"hi{i}": hi for i, hi in enumerate(edges[1:]) if hi is not None}}
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            reading = [pool.submit(read_large, store.engine, _PASS.format(cat=category_sql, hint=hint, after=after,
                                                                          part=part), {**bound, **edge_params}, KEYS)
                       for part in parts]
            if meanwhile is not None:
                meanwhile()
            frames = [r.result() for r in reading]
        self.frame = pd.concat(frames, ignore_index=True)
        for c in ["qty", "n", "max_qty", "delivered"] + [f"after_{i}" for i in range(len(self.dates))]:
            self.frame[c] = pd.to_numeric(self.frame[c]).fillna(0).astype(int if c == "n" else float)
        self.frame[KEYS] = self.frame[KEYS].astype(object)
        # Whole-number ids of the institution x product x distributor and institution x product keys: the
        # sums below group by them, many times faster than by three text columns.
        self.frame["pair"] = self.frame.groupby(KEYS, dropna=False, sort=True).ngroup()
        self._pair_keys = self.frame.drop_duplicates("pair").set_index("pair")[KEYS].sort_index()
        self._pair_keys["ip"] = self._pair_keys.groupby(KEYS[:2], sort=True).ngroup()
        self.frame["ip"] = self.frame["pair"].map(self._pair_keys["ip"])
        self._pairs: dict[dt.date, pd.DataFrame] = {}
        self._sizes: dict[str, Future] = {}
        # The grace-day windows (and, when asked, order sizes) are read on another connection while this
        # process works on the pass: the engine uses the core Python leaves idle. The reading thread ends
        # with this object.
        self._reader = ThreadPoolExecutor(max_workers=1)
        self._windows = {x: self._reader.submit(self._read_window, x) for x in self.dates}

    def close(self) -> None:
        """End the background reading thread once its reads are done (it ends with this object otherwise)."""
        self._reader.shutdown(wait=False)

    def serves(self, start: dt.date, x: dt.date) -> bool:
        """Whether this pass holds what a date needs: the same period start, and T or one of its month ends."""
        return start == self.start and x in self.dates

    def _window(self, x: dt.date) -> pd.DataFrame:
        return self._windows[x].result()

    def _read_window(self, x: dt.date) -> pd.DataFrame:
        grace = x - dt.timedelta(days=self.grace_days)
        d = (lambda day: day) if self.store.is_postgres else (lambda day: day.isoformat())
        frame = read_large(self.store.engine, _WINDOW.format(cat=self.category_sql),
                           {**self.params, "x": d(x), "grace": d(grace), "start": d(self.start)}, text=KEYS)
        for c in ("qty", "delivered"):
            frame[c] = pd.to_numeric(frame[c]).fillna(0)
        frame["order_month"] = pd.to_numeric(frame["order_month"])
        frame[KEYS] = frame[KEYS].astype(object)  # an empty window has no types of its own
        return frame

    def pairs_at(self, x: dt.date) -> pd.DataFrame:
        """Institution x product x distributor at x: purchases, the delivery-rate window (ordered and delivered
        by x), order count and the largest order; as one query over [start, x] would give them."""
        if x in self._pairs:
            return self._pairs[x]
        f = self.frame
        if x < self.t:  # a month end before T: whole months
            f = f[f["order_month"] <= month_of(x)]
        delivered = f["delivered"] - f[f"after_{self.dates.index(x)}"]  # delivered by x
        g = f.assign(delivered_by_x=delivered).groupby("pair").agg(
            purchased_qty=("qty", "sum"), rate_delivered_qty=("delivered_by_x", "sum"), count_orders=("n", "sum"),
            max_order_qty=("max_qty", "max"))
        g = self._pair_keys.loc[g.index, KEYS].join(g).reset_index(drop=True)
        window = self._window(x).groupby(KEYS, dropna=False, as_index=False)[["qty", "delivered"]].sum()
        window = window.rename(columns={"qty": "window_qty", "delivered": "window_delivered"})
        g[KEYS], window[KEYS] = g[KEYS].astype(object), window[KEYS].astype(object)  # empty or all-missing keys
        g = g.merge(window, on=KEYS, how="left").fillna({"window_qty": 0.0, "window_delivered": 0.0})
        g["rate_order_qty"] = g["purchased_qty"] - g["window_qty"]
        g["rate_delivered_qty"] = g["rate_delivered_qty"] - g["window_delivered"]
        out = g[KEYS + SUMS]
        self._pairs[x] = out
        return out

    @property
    def ip_keys(self) -> pd.DataFrame:
        """Institution and product of each institution x product id ("ip") that `by_month` gives."""
        return self._pair_keys.drop_duplicates("ip").set_index("ip")[KEYS[:2]]

    def by_month(self) -> pd.DataFrame:
        """Institution x product id ("ip", see `ip_keys`) x order month at T: all purchases, and the
        delivery-rate window (ordered by T minus the grace days, delivered by T)."""
        f = self.frame
        g = f.assign(delivered_by_t=f["delivered"] - f["after_0"]).groupby(["ip", "order_month"], as_index=False).agg(
            qty=("qty", "sum"), delivered=("delivered_by_t", "sum"), count_orders=("n", "sum"))
        window = self._window(self.t).merge(self.ip_keys.reset_index(), on=KEYS[:2])  # its orders are the pass's
        window = window.groupby(["ip", "order_month"], as_index=False)[["qty", "delivered"]].sum().rename(
            columns={"qty": "window_qty", "delivered": "window_delivered"})
        for frame in (g, window):
            frame[["ip", "order_month"]] = frame[["ip", "order_month"]].astype("int64")
        g = g.merge(window, on=["ip", "order_month"], how="left").fillna({"window_qty": 0.0, "window_delivered": 0.0})
        g["rate_order_qty"] = g["qty"] - g["window_qty"]
        g["rate_delivered_qty"] = g["delivered"] - g["window_delivered"]
        return g[["ip", "order_month", "qty", "rate_order_qty", "rate_delivered_qty", "count_orders"]]

    def read_sizes(self, products: list[str]) -> None:
        """Start reading the order sizes in [start, T] of these products (for `quartiles`), in the background
        (in this thread once the pass is closed)."""
        missing = sorted(p for p in set(products) if p not in self._sizes)
        if missing:
            try:
                future = self._reader.submit(self._read_sizes, missing)
            except RuntimeError:  # closed
                future = Future()
                future.set_result(self._read_sizes(missing))
            for p in missing:
                self._sizes[p] = future

    def _read_sizes(self, products: list[str]) -> dict[str, pd.DataFrame]:
        names = {f"q{n}": p for n, p in enumerate(products)}
        rows = read_large(
            self.store.engine,
            f"SELECT o.product_code, o.order_date, o.order_qty FROM orders o "
            f"{index_hint(self.store, 'ix_orders_product_qty')} WHERE o.order_date >= :start AND o.order_date <= :t "
            f"AND o.product_code IN ({', '.join(':' + k for k in names)}) {self.category_sql}",
            {**self.params, **names}, text=["product_code", "order_date"])
        rows["order_date"] = pd.to_datetime(rows["order_date"])
        return {p: part[["order_date", "order_qty"]] for p, part in rows.groupby("product_code")}

    def quartiles(self, products: list[str], x: dt.date) -> pd.DataFrame:
        """Nearest-rank Q1 and Q3 (the ceil(n/4)-th and ceil(3n/4)-th smallest) of each product's order sizes in
        [start, x]; the sizes are read once per product, through the product index."""
        self.read_sizes(products)
        out = []
        for p in products:
            sizes = self._sizes[p].result().get(p)
            if sizes is None:
                continue
            qty = np.sort(sizes.loc[sizes["order_date"] <= pd.Timestamp(x), "order_qty"].to_numpy(dtype=float))
            n = len(qty)
            if n:
                out.append((p, qty[(n + 3) // 4 - 1], qty[(3 * n + 3) // 4 - 1]))
        return pd.DataFrame(out, columns=["product_code", "q1", "q3"])
