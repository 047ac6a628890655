"""The unit of the quantity a flag is about (盒, 支, 片 ...): the product's own, as the products sheet names it, for
the flags whose value and threshold are quantities (an abnormal order's size, an unreported purchase)."""
from __future__ import annotations

import pandas as pd

from core.policy.indicators import FLAG_BY_ID
from core.present.flagtext import describe

CHUNK = 500  # codes per statement


def qty_units(store, flags: pd.DataFrame) -> dict[str, str]:
    """detail_code -> unit for the rows of `flags` (flag_id, detail_code) whose value is a quantity: an order's
    product's unit, or the product's own; codes whose product names no unit are left out."""
    if flags.empty:
        return {}
    qty = flags[flags["flag_id"].map(lambda f: FLAG_BY_ID[f].unit == "qty").astype(bool)]
    codes = sorted({str(c) for c in qty["detail_code"].dropna() if c})
    found: dict[str, str] = {}
    for start in range(0, len(codes), CHUNK):
        part = codes[start:start + CHUNK]
        marks = ", ".join(f":c{n}" for n in range(len(part)))
        params = {f"c{n}": c for n, c in enumerate(part)}
        rows = store.read(f"""SELECT o.order_id AS code, p.unit FROM orders o
                              JOIN products p ON p.product_code = o.product_code WHERE o.order_id IN ({marks})
                              UNION ALL
                              SELECT product_code AS code, unit FROM products WHERE product_code IN ({marks})""", params)
        found.update({c: u for c, u in zip(rows["code"], rows["unit"]) if isinstance(u, str) and u.strip()})
    return found


def described(view, flags: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Flags read for a view as a table shows them (`describe`), with the settings in force and their products'
    units."""
    return describe(flags, lang, view.store.settings(), qty_units(view.store, flags))
