"""总览: headline figures for the province or an area with their change since last month, monthly trends,
the areas below ranked, and what got worse."""
import streamlit as st

from core.policy.indicators import indicator
from core.present import charts
from core.present.i18n import headers, t, tn
from core.read import overview
from ui.session import viewed
from ui.tables import show
from ui.tiles import tile

INSTITUTIONS_CHARTED = 15  # the chart's lowest institutions; the table lists them all
view, L = viewed("pages/overview.py", "ov.title")
area_name = view.area_name
tiles = overview.headline(view, L)
settings = view.store.settings()
if tiles:
    st.caption(t("ov.caption", L).format(area=area_name, as_of=tiles[0]["as_of"], prev=tiles[0]["previous_as_of"] or "—"))
    cols = st.columns(len(tiles))
    for col, figure in zip(cols, tiles):
        tile(col, figure, settings, L)

monthly = overview.monthly_rates(view)
st.plotly_chart(charts.trend(monthly, {"delivery": t("ov.delivery", L), "nonselected": t("ov.share", L),
                                       "complaint": t("ov.timely", L)}, t("ov.trend", L), L), key="ov_trend")
st.caption(tn("ov.trend_note", L, n=int(settings["timely_min_age_workdays"])))

ranked = overview.children_ranked(view)
if not ranked.empty:
    left, right = st.columns([3, 2])
    with left:
        warn = settings["delivery_rate_warning"]
        st.plotly_chart(charts.ranked(ranked, "delivery", "region_name", t("ov.ranked", L), warn,
                                      t("chart.threshold", L).format(v=warn)), key="ov_ranked")
    with right:
        st.subheader(t("ov.worse", L))
        min_fall = float(settings["worse_min_points"])
        points = f"{min_fall * 100:g}"
        st.caption(t("ov.worse_rule", L).format(points=points))
        worse = overview.got_worse(ranked, min_fall)
        if worse.empty:
            st.info(t("ov.worse_none", L).format(points=points))
        else:
            show(worse, headers(["region_code", "region_name", "delivery", "delivery_change_points", "count_red_flag",
                                 "count_red_flag_change"], L), "ov_worse", f"{t('ov.worse', L)}_{area_name}")
    st.subheader(t("ov.table", L))
    show(ranked, headers(["region_code", "region_name", "delivery", "progress", "nonselected", "complaint",
                          "count_red_flag"], L), "ov_table", f"{t('nav.overview', L)}_{area_name}",
         helps={"progress": t("tile.help.progress", L)})
else:  # a county: no area below it, its institutions instead
    institutions = overview.institutions_ranked(view)
    if not institutions.empty:
        warn = settings["delivery_rate_warning"]
        lowest = institutions.dropna(subset=["delivery"]).head(INSTITUTIONS_CHARTED)
        if not lowest.empty:
            st.plotly_chart(charts.ranked(lowest, "delivery", "institution_name",
                                          tn("ov.inst_ranked", L, len(lowest)), warn,
                                          t("chart.threshold", L).format(v=warn)), key="ov_inst_ranked")
        st.subheader(t("ov.inst_table", L))
        # An institution's 采购进度 is indicator 4 itself (bought / agreed), as the map names it; the tile above
        # is its ratio to the schedule.
        st.caption(t("ov.inst_progress_note", L))
        progress = indicator("progress")
        show(institutions, {**headers(["institution_code", "institution_name", "delivery", "completion",
                                       "nonselected", "complaint", "is_red"], L),
                            "completion": progress.en if L == "en" else progress.zh},
             "ov_inst_table", f"{t('ov.inst_table', L)}_{area_name}", link=("institution_code", "institution"))
