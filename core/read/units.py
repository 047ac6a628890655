"""The unit of the quantity a flag is about (盒, 支, 片 ...): the product's own, as the products sheet names it, for
the flags whose value and threshold are quantities (an abnormal order's size, an unreported purchase)."""
from __future__ import annotations

import pandas as pd

from core.policy.indicators import FLAG_BY_ID
from core.present.flagtext import describe

CHUNK = 500  # codes per statement


def qty_units(store, flags: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(flag_id, detail_code) -> unit for the rows of `flags` whose value is a quantity: an abnormal order's
    product's unit (its detail is the order), an unreported purchase's product's own (its detail is the product);
    codes whose product names no unit are left out. Order ids and product codes are looked up apart: an order id
    that happens to be some product's code takes its own product's unit."""
    if flags.empty:
        return {}
    qty = flags[flags["flag_id"].map(lambda f: FLAG_BY_ID[f].unit == "qty").astype(bool)]
    found: dict[tuple[str, str], str] = {}
    for by_order, query in ((True, "SELECT o.order_id AS code, p.unit FROM orders o JOIN products p "
                                   "ON p.product_code = o.product_code WHERE o.order_id IN ({marks})"),
                            (False, "SELECT product_code AS code, unit FROM products WHERE product_code IN ({marks})")):
        rows = qty[(qty["flag_id"] == "abnormal_order") == by_order]
        codes = sorted({str(c) for c in rows["detail_code"].dropna() if c})
        units: dict[str, str] = {}
        for start in range(0, len(codes), CHUNK):
            part = codes[start:start + CHUNK]
            read = store.read(query.format(marks=", ".join(f":c{n}" for n in range(len(part)))),
                              {f"c{n}": c for n, c in enumerate(part)})
            units.update({c: u for c, u in zip(read["code"], read["unit"]) if isinstance(u, str) and u.strip()})
        found.update({(f, d): units[d] for f, d in zip(rows["flag_id"], rows["detail_code"]) if d in units})
    return found


def described(view, flags: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Flags read for a view as a table shows them (`describe`), with the settings in force and their products'
    units."""
    return describe(flags, lang, view.store.settings(), qty_units(view.store, flags))
