"""总览: headline figures for the province or an area with their change since last month, monthly trends,
the areas below ranked, and what got worse."""
import streamlit as st

from core import charts, overview
from core.i18n import headers, t
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/overview.py", "ov.title")
area_name = view.area_name
tiles = overview.headline(view, L)
if tiles:
    st.caption(t("ov.caption", L).format(area=area_name, as_of=tiles[0]["as_of"], prev=tiles[0]["previous_as_of"] or "—"))
    cols = st.columns(len(tiles))
    for col, tile in zip(cols, tiles):
        if tile["kind"] == "count":
            value, delta = f"{tile['value']:.0f}", None if tile["change"] is None else f"{tile['change']:+.0f}"
            color = "inverse"  # more red flags is worse
        else:
            value = "—" if tile["value"] != tile["value"] else f"{tile['value']:.1%}"
            delta = None if tile["change"] is None else t("tile.points", L).format(v=tile["change"] * 100)
            color = "normal"
        if tile["change"] == 0:
            delta, color = t("tile.same", L), "off"
        col.metric(tile["label"], value, delta, delta_color=color)

monthly = overview.monthly_rates(view)
st.plotly_chart(charts.trend(monthly, {"delivery_rate": t("ov.delivery", L), "selected_share": t("ov.share", L),
                                       "timely_rate": t("ov.timely", L)}, t("ov.trend", L)), key="ov_trend")

ranked = overview.children_ranked(view)
if not ranked.empty:
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(charts.ranked(ranked, "delivery", "region_name", t("ov.ranked", L),
                                      view.store.settings()["delivery_rate_warning"]), key="ov_ranked")
    with right:
        st.subheader(t("ov.worse", L))
        worse = overview.got_worse(ranked)
        if worse.empty:
            st.info(t("ov.worse_none", L))
        else:
            st.dataframe(worse[["region_code", "region_name", "delivery", "delivery_change", "count_red_flag",
                                "count_red_flag_change"]].rename(columns={
                "region_code": t("col.code", L), "region_name": t("col.name", L), "delivery": t("ov.delivery", L),
                "delivery_change": "Δ", "count_red_flag": t("col.red_flag", L), "count_red_flag_change": "Δ "}),
                hide_index=True, width="stretch", key="ov_worse")
    st.subheader(t("ov.ranked", L))
    show(ranked, headers(["region_code", "region_name", "delivery", "progress", "nonselected", "complaint",
                          "count_red_flag"], L), "ov_table", f"{t('nav.overview', L)}_{area_name}")
