"""供应监测: delivery rates by product, supplier tiers with their evidence, primary against other institutions, every
imbalanced area below, and delivery by institution level."""
import streamlit as st

from core.present import charts, flagtext
from core.present.i18n import headers, t, tn
from core.read import cases, monitoring
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/supply.py", "nav.supply")
area_name = view.area_name
warn = view.store.settings()["delivery_rate_warning"]

tab_product, tab_tier, tab_primary = st.tabs([t("sp.by_product", L), t("sp.tiers", L), t("sp.primary", L)])
with tab_product:
    products = monitoring.delivery_by_product(view)
    st.plotly_chart(charts.ranked(products.head(15).assign(label=products["generic_name"] + " " + products["product_code"]),
                                  "delivery_rate", "label", t("sp.lowest", L).format(area=area_name), warn,
                                  t("chart.threshold", L).format(v=warn)), key="sp_chart")
    show(products, headers(["product_code", "generic_name", "dosage_form", "specification", "delivery_rate",
                            "distributors", "manufacturer", "delivered_qty", "ordered_qty", "count_institutions"], L),
         "sp_products", f"{t('sp.by_product', L)}_{area_name}")
with tab_tier:
    st.caption(flagtext.tier_rule(view.store.settings(), L))
    show(monitoring.enterprise_tiers(view), headers(["enterprise_code", "enterprise_name", "role", "tier", "delivery_tier",
                                                  "delivery_rate", "complaint_tier", "timely_rate", "count_complaints",
                                                  "cooperation_tier", "count_uncooperative"], L),
         "sp_tiers", t("sp.tiers", L), link=("enterprise_code", "enterprise"))
with tab_primary:
    st.caption(flagtext.primary_rule(view.store.settings(), L))
    show(monitoring.primary_balance(view), headers(["region_code", "region_name", "primary_rate", "others_rate",
                                                       "gap_points", "is_flagged"], L),
         "sp_primary", f"{t('sp.primary', L)}_{area_name}")
    flagged = cases.area_cases(view, L)
    st.subheader(tn("sp.flagged_areas", L, n=len(flagged), area=area_name))
    show(flagged, {**headers(["subject_code", "subject_name"], L), "level_name": t("case.col.level", L),
                   "area_name": t("case.col.parent", L),
                   **headers(["problem", "gap_points", "primary_rate", "others_rate", "status"], L)},
         "sp_flagged", f"{t('sp.flagged_file', L)}_{area_name}", link=("subject_code", "area"))
    st.subheader(t("sp.levels", L))
    st.caption(flagtext.levels_rule(view.store.settings(), L))
    show(monitoring.level_balance(view), headers(["region_code", "region_name", "rate_1", "rate_2", "rate_3", "rate_4",
                                                  "rate_5", "level_gap_points", "is_flagged"], L),
         "sp_levels", f"{t('sp.levels', L)}_{area_name}")
