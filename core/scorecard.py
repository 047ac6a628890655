"""Scorecards: everything about one institution or one enterprise."""
from __future__ import annotations

import pandas as pd

from .indicators import FLAG_BY_ID, INDICATORS, SEVERITY_ZH
from .interviews import actions_of


def _flags(store, level: str, code: str) -> pd.DataFrame:
    frame = store.read("SELECT flag_id, severity, detail_code, value, threshold FROM mart_flags "
                       "WHERE level = :l AND subject_code = :c ORDER BY flag_id, detail_code", {"l": level, "c": code})
    frame["flag_name"] = frame["flag_id"].map(lambda f: FLAG_BY_ID[f].zh)
    frame["clause"] = frame["flag_id"].map(lambda f: FLAG_BY_ID[f].clause)
    frame["severity_zh"] = frame["severity"].map(SEVERITY_ZH)
    return frame


def _indicators(store, level: str, code: str) -> pd.DataFrame:
    frame = store.read("SELECT indicator_id, numerator, denominator, value, count_flagged FROM mart_indicators "
                       "WHERE level = :l AND subject_code = :c", {"l": level, "c": code})
    names = {i.id: i.zh for i in INDICATORS}
    frame["indicator"] = frame["indicator_id"].map(names)
    order = {i.id: i.number for i in INDICATORS}
    return frame.sort_values("indicator_id", key=lambda s: s.map(order)).reset_index(drop=True)


def institution_card(store, code: str) -> dict | None:
    info = store.read("""SELECT i.*, k.region_name AS county_name, c.region_name AS city_name
                         FROM institutions i JOIN regions k ON k.region_code = i.county_code
                         LEFT JOIN regions c ON c.region_code = k.parent_code WHERE i.institution_code = :c""", {"c": code})
    if info.empty:
        return None
    month = "to_char(o.order_date, 'YYYY-MM')" if store.is_postgres else "strftime('%Y-%m', o.order_date)"
    monthly = store.read(f"""SELECT {month} AS month, SUM(o.order_qty) AS order_qty,
                                    SUM(COALESCE(o.delivered_qty, 0)) AS delivered_qty,
                                    SUM(CASE WHEN p.status = '中选' THEN o.order_qty ELSE 0 END) AS selected_qty,
                                    SUM(CASE WHEN p.status = '非中选' THEN o.order_qty ELSE 0 END) AS nonselected_qty
                             FROM orders o JOIN products p ON p.product_code = o.product_code
                             WHERE o.institution_code = :c GROUP BY {month} ORDER BY 1""", {"c": code})
    monthly["delivery_rate"] = monthly["delivered_qty"] / monthly["order_qty"].where(monthly["order_qty"] > 0)
    total = monthly["selected_qty"] + monthly["nonselected_qty"]
    monthly["selected_share"] = monthly["selected_qty"] / total.where(total > 0)
    agreements = store.read("""SELECT a.product_code, p.generic_name, p.dosage_form, a.reported_qty, a.prior_year_qty,
                                      a.agreed_qty, m.purchased_qty, m.rate_delivered_qty, m.rate_order_qty
                               FROM agreements a JOIN products p ON p.product_code = a.product_code
                               LEFT JOIN mart_inst_product m ON m.institution_code = a.institution_code
                                    AND m.product_code = a.product_code
                               WHERE a.institution_code = :c ORDER BY a.product_code""", {"c": code})
    agreements["completion"] = agreements["purchased_qty"] / agreements["agreed_qty"].where(agreements["agreed_qty"] > 0)
    agreements["delivery_rate"] = agreements["rate_delivered_qty"] / agreements["rate_order_qty"].where(
        agreements["rate_order_qty"] > 0)
    complaints = store.read("""SELECT c.complaint_id, e.enterprise_name, c.issue_type, c.raised_date, c.reply_date,
                                      c.promised_date, c.resolved_date
                               FROM complaints c JOIN enterprises e ON e.enterprise_code = c.enterprise_code
                               WHERE c.institution_code = :c ORDER BY c.raised_date""", {"c": code})
    red = store.read("SELECT quarter, score, step FROM mart_red_flags WHERE institution_code = :c ORDER BY quarter", {"c": code})
    return {"info": info.iloc[0].to_dict(), "indicators": _indicators(store, "institution", code),
            "flags": _flags(store, "institution", code), "monthly": monthly, "agreements": agreements,
            "complaints": complaints, "red": red, "actions": actions_of(store, "institution", code)}


def enterprise_card(store, code: str) -> dict | None:
    info = store.read("SELECT * FROM enterprises WHERE enterprise_code = :c", {"c": code})
    if info.empty:
        return None
    tier = store.read("SELECT * FROM mart_enterprises WHERE enterprise_code = :c", {"c": code})
    products = store.read("""SELECT p.product_code, p.generic_name, p.dosage_form, p.status,
                                    SUM(m.rate_delivered_qty) AS delivered_qty, SUM(m.rate_order_qty) AS ordered_qty,
                                    COUNT(m.institution_code) AS count_institutions
                             FROM products p LEFT JOIN mart_inst_product m ON m.product_code = p.product_code
                                  AND m.agreed_qty > 0
                             WHERE p.manufacturer_code = :c
                             GROUP BY p.product_code, p.generic_name, p.dosage_form, p.status ORDER BY 1""", {"c": code})
    products["delivery_rate"] = products["delivered_qty"] / products["ordered_qty"].where(products["ordered_qty"] > 0)
    complaints = store.read("""SELECT c.complaint_id, i.institution_name, c.issue_type, c.raised_date, c.reply_date,
                                      c.promised_date, c.resolved_date
                               FROM complaints c JOIN institutions i ON i.institution_code = c.institution_code
                               WHERE c.enterprise_code = :c ORDER BY c.raised_date""", {"c": code})
    return {"info": info.iloc[0].to_dict(), "tier": tier.iloc[0].to_dict() if len(tier) else {},
            "indicators": _indicators(store, "enterprise", code), "flags": _flags(store, "enterprise", code),
            "products": products, "complaints": complaints, "actions": actions_of(store, "enterprise", code)}
