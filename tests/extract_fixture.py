"""A tiny standard extract, written by hand, with codes that have leading zeros."""
import datetime as dt

import pandas as pd

D = dt.date


def frames() -> dict[str, pd.DataFrame]:
    return {
        "enterprises": pd.DataFrame([
            {"enterprise_code": "0001", "enterprise_name": "甲制药有限公司", "role": "生产企业"},
            {"enterprise_code": "0002", "enterprise_name": "乙医药有限公司", "role": "配送企业"},
        ]),
        "institutions": pd.DataFrame([
            {"institution_code": "H3701020001", "institution_name": "历下区人民医院", "county_code": "370102",
             "level": "二级", "category": "综合医院", "is_primary": "否", "ownership": "公立",
             "longitude": 117.08, "latitude": 36.66},
            {"institution_code": "H3701240001", "institution_name": "平阴县王庄镇卫生院", "county_code": "370124",
             "level": "一级", "category": "乡镇卫生院", "is_primary": "是", "ownership": None,
             "longitude": None, "latitude": None},
        ]),
        "products": pd.DataFrame([
            {"product_code": "0012", "generic_name": "阿司匹林", "dosage_form": "肠溶片", "specification": "100mg×30片",
             "category": "药品", "manufacturer_code": "0001", "vbp_batch": "国家第二批", "status": "中选",
             "substitute_generic": None, "substitution_degree": None},
            {"product_code": "0013", "generic_name": "阿司匹林", "dosage_form": "肠溶片", "specification": "100mg×30片",
             "category": "药品", "manufacturer_code": "0001", "vbp_batch": None, "status": "非中选",
             "substitute_generic": None, "substitution_degree": None},
        ]),
        "agreements": pd.DataFrame([
            {"institution_code": "H3701020001", "product_code": "0012", "period_start": D(2026, 1, 1),
             "period_end": D(2026, 12, 31), "reported_qty": 1200.0, "prior_year_qty": 1000.0, "agreed_qty": 960.0,
             "distributor_code": "0002"},
        ]),
        "baseline": pd.DataFrame([
            {"institution_code": "H3701020001", "product_code": "0013", "year": 2025, "prior_year_qty": 300.0},
        ]),
        "orders": pd.DataFrame([
            {"order_id": "0000001", "institution_code": "H3701020001", "product_code": "0012", "distributor_code": "0002",
             "order_date": D(2026, 3, 2), "order_qty": 100.0, "unit_price": 1.9, "channel": "线上",
             "delivered_qty": 100.0, "delivery_date": D(2026, 3, 3), "receipt_date": D(2026, 3, 4)},
            {"order_id": "0000002", "institution_code": "H3701240001", "product_code": "0013", "distributor_code": None,
             "order_date": D(2026, 3, 5), "order_qty": 20.5, "unit_price": None, "channel": "线下",
             "delivered_qty": None, "delivery_date": None, "receipt_date": None},
        ]),
        "complaints": pd.DataFrame([
            {"complaint_id": "SQ01", "institution_code": "H3701240001", "enterprise_code": "0002", "product_code": "0012",
             "issue_type": "供货不及时", "raised_date": D(2026, 4, 29), "reply_date": D(2026, 5, 6),
             "promised_date": D(2026, 5, 8), "resolved_date": None},
        ]),
    }
