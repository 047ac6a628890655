"""首页: what the store holds, by city, and a map of the province's cities."""
import streamlit as st

from core import maps, overview, regions
from core.i18n import t
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/home.py", "app.title")
s = view.store
st.caption(t("home.subtitle", L) + f" · {view.area_name} · {t('sc.as_of', L)} {view.as_of:%Y-%m-%d}")

totals = overview.totals(view)
cols = st.columns(4)
for col, key in zip(cols, ("institutions", "enterprises", "agreements", "orders")):
    col.metric(t(f"home.{key}", L), f"{totals[key]:,}")

by_area = overview.counts_by_area(view)
left, right = st.columns([3, 2])
with left:
    st.subheader(t("home.map", L))
    deck = maps.choropleth(overview.area_features(view, by_area, "count_institutions"),
                           regions.bounds(s.province_code, view.area), layer_id="areas", tooltip=t("home.tooltip", L))
    st.pydeck_chart(deck, key="home_map", height=520)
with right:
    st.subheader(t("home.table", L))
    show(by_area, {"area_code": t("col.code", L), "area_name": t("col.name", L), "count_counties": t("home.counties", L),
                   "count_institutions": t("home.institutions", L), "count_primary": t("home.primary", L),
                   "count_orders": t("home.orders_n", L)}, "home_table", f"{t('home.table', L)}_{view.area_name}")
