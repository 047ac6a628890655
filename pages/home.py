"""数据概况: what the store holds in the area, by area below it (a map and a table), or, for a county, by kind of
institution."""
import streamlit as st

from core.present import charts, maps
from core.present.i18n import t
from core.read import overview
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/home.py", "nav.data")
st.caption(t("home.subtitle", L) + f" · {view.area_name} · {t('sc.as_of', L)} {view.as_of:%Y-%m-%d}")

totals = overview.totals(view)
cols = st.columns(4)
for col, key in zip(cols, ("institutions", "enterprises", "agreements", "orders")):
    col.metric(t(f"home.{key}", L), f"{totals[key]:,}",
               help=t("home.enterprises_help", L) if key == "enterprises" else None)

if view.area_level == "county":  # no area below a county: its institutions by kind
    st.subheader(t("home.by_category", L))
    show(overview.institutions_by_category(view),
         {"category": t("col.category", L), "level": t("col.level", L), "count_institutions": t("home.institutions", L),
          "count_primary": t("home.primary", L), "count_orders": t("home.orders_n", L)},
         "home_table", f"{t('home.by_category', L)}_{view.area_name}")
    st.stop()

by_area = overview.counts_by_area(view)
left, right = st.columns([4, 1])
with left:
    st.subheader(t("home.map", L))
    st.pydeck_chart(overview.counts_deck(view, t("home.tooltip", L)), key="home_map", height=520)
with right:
    keys = maps.legend(by_area["count_institutions"].tolist(), "count")
    st.plotly_chart(charts.legend(keys, t("home.institutions", L)), key="home_legend", config={"displayModeBar": False})
st.subheader(t("home.table", L))
columns = {"area_code": t("col.code", L), "area_name": t("col.name", L), "count_counties": t("home.counties", L),
           "count_institutions": t("home.institutions", L), "count_primary": t("home.primary", L),
           "count_orders": t("home.orders_n", L)}
if view.area_level != "province":
    del columns["count_counties"]  # each area below a city is one county
show(by_area, columns, "home_table", f"{t('home.table', L)}_{view.area_name}")
