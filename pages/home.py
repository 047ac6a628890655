"""首页: what the store holds, by city, and a map of the province's cities."""
import streamlit as st

from core import maps, marts, overview, regions
from core.i18n import t
from ui.session import start
from ui.tables import show

s, L = start("pages/home.py", "app.title", needs_marts=False)
as_of = marts.current_as_of(s)
st.caption(t("home.subtitle", L) + (f" · {t('sc.as_of', L)} {as_of:%Y-%m-%d}" if as_of else ""))

totals = overview.totals(s)
cols = st.columns(4)
for col, key in zip(cols, ("institutions", "enterprises", "agreements", "orders")):
    col.metric(t(f"home.{key}", L), f"{totals[key]:,}")

by_city = overview.counts_by_city(s)
left, right = st.columns([3, 2])
with left:
    st.subheader(t("home.map", L))
    deck = maps.choropleth(overview.city_features(s, by_city, "count_institutions"),
                           regions.bounds(s.province_code, s.province_code), layer_id="cities",
                           tooltip=t("home.tooltip", L))
    st.pydeck_chart(deck, key="home_map", height=520)
with right:
    st.subheader(t("home.table", L))
    show(by_city, {"city_code": t("col.code", L), "city_name": t("iv.city", L), "count_counties": t("home.counties", L),
                   "count_institutions": t("home.institutions", L), "count_primary": t("home.primary", L),
                   "count_orders": t("home.orders_n", L)}, "home_table", t("home.table", L))
