"""What the store holds, by city: the home page's figures and map."""
from __future__ import annotations

import pandas as pd

from . import regions

_BY_CITY = """
SELECT c.region_code AS city_code, c.region_name AS city_name,
       COUNT(DISTINCT i.institution_code) AS count_institutions,
       COUNT(DISTINCT CASE WHEN i.is_primary THEN i.institution_code END) AS count_primary,
       COUNT(DISTINCT k.region_code) AS count_counties
FROM regions c
JOIN regions k ON k.parent_code = c.region_code AND k.region_level = 'county'
LEFT JOIN institutions i ON i.county_code = k.region_code
WHERE c.region_level = 'city'
GROUP BY c.region_code, c.region_name
ORDER BY c.region_code
"""

_ORDERS_BY_CITY = """
SELECT k.parent_code AS city_code, COUNT(*) AS count_orders, SUM(o.order_qty) AS order_qty
FROM orders o
JOIN institutions i ON i.institution_code = o.institution_code
JOIN regions k ON k.region_code = i.county_code
GROUP BY k.parent_code
"""


def counts_by_city(store) -> pd.DataFrame:
    """One row per city: institutions, primary institutions, counties, orders."""
    base = store.read(_BY_CITY)
    orders = store.read(_ORDERS_BY_CITY)
    out = base.merge(orders, on="city_code", how="left")
    out["count_orders"] = out["count_orders"].fillna(0).astype(int)
    out["order_qty"] = out["order_qty"].fillna(0.0)
    return out


def totals(store) -> dict[str, int]:
    return store.counts()


def city_features(store, values: pd.DataFrame, value_column: str) -> dict:
    """The province's city boundaries with a value per city in each feature's properties."""
    fc = regions.features(store.province_code, "city")
    by_code = values.set_index("city_code")
    for f in fc["features"]:
        code = f["properties"]["code"]
        f["properties"]["value"] = float(by_code[value_column].get(code, 0)) if code in by_code.index else 0.0
    return fc
