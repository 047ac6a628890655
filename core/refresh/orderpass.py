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

from core.policy.periods import earlier_ends, month_of
from core.store.db import index_hint, read_large

KEYS = ["institution_code", "product_code", "distributor_code"]
SUMS = ["purchased_qty", "rate_order_qty", "rate_delivered_qty", "count_orders", "max_order_qty"]

_PASS = """
SELECT o.institution_code, o.product_code, o.distributor_code, o.order_month,
       SUM(o.order_qty) AS qty, COUNT(*) AS n, MAX(o.order_qty) AS max_qty, SUM(o.delivered_qty) AS delivered
       {after}
FROM orders o {hint}
WHERE o.order_date >= :start AND o.order_date <= :t {cat} {part}
GROUP BY o.institution_code, o.product_code, o.distributor_code, o.order_month
ORDER BY o.institution_code, o.product_code, o.distributor_code, o.order_month
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


# Nearest-rank quartiles of order sizes: the k-th smallest of n for k = ceil(n/4) and ceil(3n/4).
_QUARTILES = """
SELECT product_code, MAX(CASE WHEN k = (n + 3) / 4 THEN order_qty END) AS q1,
       MAX(CASE WHEN k = (3 * n + 3) / 4 THEN order_qty END) AS q3
FROM (SELECT o.product_code, o.order_qty,
             ROW_NUMBER() OVER (PARTITION BY o.product_code ORDER BY o.order_qty) AS k,
             COUNT(*) OVER (PARTITION BY o.product_code) AS n
      FROM orders o {hint}
      WHERE o.order_date >= :start AND o.order_date <= :x AND o.product_code IN ({products}) {cat}) ranked
GROUP BY product_code
"""


def _starts(*columns: np.ndarray) -> np.ndarray:
    """Where a run of equal values begins in any of these columns of the same length (True at row 0)."""
    n = len(columns[0])
    out = np.zeros(n, dtype=bool)
    if n:
        out[0] = True
        for c in columns:
            differ = c[1:] != c[:-1]
            if c.dtype == object:  # two missing values (an order without a distributor) are one key, not two
                missing = pd.isna(c)
                differ &= ~(missing[1:] & missing[:-1])
                differ |= missing[1:] != missing[:-1]
            out[1:] |= differ
    return out


class OrdersPass:
    """The orders of [start, T] (of one category or all), read once."""

    def __init__(self, store, start: dt.date, t: dt.date, grace_days: int, category_sql: str, params: dict,
                 meanwhile: Callable[[], object] | None = None):
        """`meanwhile`: work of this process (small reads) done while the engine scans the orders."""
        self.store, self.start, self.t, self.grace_days = store, start, t, grace_days
        self.category_sql, self.params = category_sql, params
        self.dates = [t] + [x for x in earlier_ends(t) if x >= start]  # T, last month's and quarter's end
        d = store.day
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
        frame = pd.concat(frames, ignore_index=True)
        # The rows come sorted by their keys (ORDER BY, free along the index), so an institution x product x
        # distributor ("pair") and an institution x product ("ip") are runs of rows: each gets a whole-number
        # id from where its run begins, and every sum below is taken over runs or by id with numpy.
        keys = [frame[c].to_numpy(dtype=object) for c in KEYS]
        new_ip = _starts(keys[0], keys[1])
        new_pair = new_ip | _starts(keys[2])
        self._pair = np.cumsum(new_pair) - 1
        first = np.flatnonzero(new_pair)
        self._pair_keys = pd.DataFrame({c: pd.Series(k[first], dtype=object) for c, k in zip(KEYS, keys)})  # by pair id
        self._pair_keys["ip"] = (np.cumsum(new_ip) - 1)[first]
        self._pair_ids = self._pair_keys[KEYS].assign(pair=np.arange(len(self._pair_keys)))  # id by its keys
        self._rows = {c: pd.to_numeric(frame[c]).fillna(0).to_numpy(dtype=float)
                      for c in ["qty", "n", "max_qty", "delivered"] + [f"after_{i}" for i in range(len(self.dates))]}
        self._month = pd.to_numeric(frame["order_month"]).to_numpy(dtype=np.int64)
        self._pairs: dict[dt.date, tuple[pd.DataFrame, np.ndarray]] = {}  # pairs_at(x) and its rows' pair ids
        self._quartiles: dict[tuple, Future] = {}
        # The grace-day windows are read on another connection while this process works on the pass, and the
        # order-size quartiles, when asked, on a third (they are asked while the windows are still read): the
        # engine uses the core Python leaves idle. The reading threads end with this object.
        self._reader, self._ranker = ThreadPoolExecutor(max_workers=1), ThreadPoolExecutor(max_workers=1)
        self._windows = {x: self._reader.submit(self._read_window, x) for x in self.dates}
        self._matched: dict[dt.date, tuple[np.ndarray, pd.DataFrame]] = {}  # each window's rows and their pair ids

    def close(self) -> None:
        """End the background reading threads once their reads are done (they end with this object otherwise)."""
        self._reader.shutdown(wait=False)
        self._ranker.shutdown(wait=False)

    def serves(self, start: dt.date, x: dt.date) -> bool:
        """Whether this pass holds what a date needs: the same period start, and T or one of its month ends."""
        return start == self.start and x in self.dates

    def _window(self, x: dt.date) -> tuple[np.ndarray, pd.DataFrame]:
        """The grace-day window before x, and the pair id of each of its rows (its orders are the pass's;
        a row the pass did not see, written in between by an import, is left out)."""
        if x not in self._matched:
            frame = self._windows[x].result()
            ids = frame[KEYS].merge(self._pair_ids, on=KEYS, how="left")["pair"].fillna(-1).to_numpy(dtype=np.int64)
            self._matched[x] = ids[ids >= 0], frame[ids >= 0]
        return self._matched[x]

    def _read_window(self, x: dt.date) -> pd.DataFrame:
        grace = x - dt.timedelta(days=self.grace_days)
        d = self.store.day
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
            return self._pairs[x][0]
        r = self._rows
        # A month end before T takes whole months: within a pair the rows run by month, so the rows it takes
        # are still runs of the pairs it has.
        rows = np.flatnonzero(self._month <= month_of(x)) if x < self.t else np.arange(len(self._month))
        pair = self._pair[rows]
        runs = np.flatnonzero(_starts(pair))
        ids = pair[runs]

        def total(values: np.ndarray) -> np.ndarray:
            return np.add.reduceat(values[rows], runs) if len(rows) else np.zeros(0)
        out = self._pair_keys.iloc[ids][KEYS].reset_index(drop=True)
        out["purchased_qty"] = total(r["qty"])
        delivered = total(r["delivered"] - r[f"after_{self.dates.index(x)}"])  # delivered by x
        window_ids, window = self._window(x)
        at = np.full(len(self._pair_keys), -1, dtype=np.int64)
        at[ids] = np.arange(len(ids))
        place = at[window_ids]
        kept = place >= 0  # a pair or month the pass did not see (written in between) is left out

        def in_window(column: str) -> np.ndarray:
            return np.bincount(place[kept], window[column].to_numpy(dtype=float)[kept], len(ids))
        # Orders placed in the grace days before x are left out of the delivery rate at x.
        out["rate_order_qty"] = out["purchased_qty"] - in_window("qty")
        out["rate_delivered_qty"] = delivered - in_window("delivered")
        out["count_orders"] = total(r["n"]).astype(np.int64)
        out["max_order_qty"] = np.maximum.reduceat(r["max_qty"][rows], runs) if len(rows) else np.zeros(0)
        self._pairs[x] = out, ids
        return out

    def ips_at(self, x: dt.date) -> pd.DataFrame:
        """Institution x product at x: `pairs_at` summed over distributors (the largest order, the largest);
        an institution x product is a run of its rows."""
        pairs = self.pairs_at(x)
        runs = np.flatnonzero(_starts(self._pair_keys["ip"].to_numpy()[self._pairs[x][1]]))
        out = pairs.iloc[runs][KEYS[:2]].reset_index(drop=True)
        for c in SUMS:
            values = pairs[c].to_numpy()
            out[c] = (np.maximum if c == "max_order_qty" else np.add).reduceat(values, runs) if len(runs) else values
        return out

    @property
    def ip_keys(self) -> pd.DataFrame:
        """Institution and product of each institution x product id ("ip") that `by_month` gives, in id order."""
        return self._pair_keys.drop_duplicates("ip").set_index("ip")[KEYS[:2]]

    def by_month(self) -> pd.DataFrame:
        """Rows to be summed by institution x product id ("ip", see `ip_keys`) x order month at T: all
        purchases and orders, and the delivery-rate window (ordered by T minus the grace days, delivered
        by T). The window's orders come as rows of their own with negative quantities."""
        r, ip = self._rows, self._pair_keys["ip"].to_numpy()
        window_ids, window = self._window(self.t)
        zeros = np.zeros(len(window_ids))
        return pd.DataFrame({
            "ip": np.concatenate([ip[self._pair], ip[window_ids]]),
            "order_month": np.concatenate([self._month, window["order_month"].to_numpy(dtype=np.int64)]),
            "qty": np.concatenate([r["qty"], zeros]),
            "rate_order_qty": np.concatenate([r["qty"], -window["qty"].to_numpy(dtype=float)]),
            "rate_delivered_qty": np.concatenate([r["delivered"] - r["after_0"], -window["delivered"].to_numpy(dtype=float)]),
            "count_orders": np.concatenate([r["n"], zeros]).astype(np.int64)})

    def read_quartiles(self, products: list[str], x: dt.date) -> Future:
        """Start finding the quartiles at x of these products (see `quartiles`) in the background (in this
        thread once the pass is closed)."""
        key = (x, tuple(sorted(set(products))))
        if key not in self._quartiles:
            try:
                self._quartiles[key] = self._ranker.submit(self._read_quartiles, *key)
            except RuntimeError:  # closed
                self._quartiles[key] = Future()
                self._quartiles[key].set_result(self._read_quartiles(*key))
        return self._quartiles[key]

    def _read_quartiles(self, x: dt.date, products: tuple[str, ...]) -> pd.DataFrame:
        if not products:
            return pd.DataFrame(columns=["product_code", "q1", "q3"])
        names = {f"q{n}": p for n, p in enumerate(products)}
        d = self.store.day
        return read_large(self.store.engine, _QUARTILES.format(
            hint=index_hint(self.store, "ix_orders_product_qty"), cat=self.category_sql,
            products=", ".join(":" + k for k in names)), {**self.params, **names, "x": d(x)}, text=["product_code"])

    def quartiles(self, products: list[str], x: dt.date) -> pd.DataFrame:
        """Nearest-rank Q1 and Q3 (the ceil(n/4)-th and ceil(3n/4)-th smallest) of each product's order sizes in
        [start, x], for the products that have orders then; found by the engine along the product index."""
        return self.read_quartiles(products, x).result()
