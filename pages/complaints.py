"""诉求: timeliness by enterprise, the complaints open today (to answer, to resolve, to confirm), overdue complaints at
the as-of date, and the monthly trend."""
import streamlit as st

from core.present import charts
from core.present.i18n import headers, ruled, t
from core.read import docking, monitoring, overview
from ui.session import viewed
from ui.tables import show
from ui.tiles import tile

view, L = viewed("pages/complaints.py", "nav.complaints")
area_name = view.area_name
complaints = monitoring.complaint_table(view)
settings = view.store.settings()
helps = {c: ruled(f"help.{c}", L, settings) for c in ("reply_late", "unresolved", "timely_rate")}
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("cp.count", L), len(complaints))
c2.metric(t("cp.late", L), int(complaints["reply_late"].sum()), help=helps["reply_late"])
c3.metric(t("cp.unresolved", L), int(complaints["unresolved"].sum()), help=helps["unresolved"])
# the area's timely rate as the overview gives it: a late reply is untimely too, so it can be low with none unresolved
timely = next((f for f in overview.headline(view, L) if f["metric"] == "complaint"), None)
if timely is not None:
    tile(c4, timely, settings, L)
st.plotly_chart(charts.trend(overview.monthly_rates(view), {"complaint": t("ov.timely", L)}, t("cp.trend", L), L),
                key="cp_trend")
st.caption(t("cp.trend_note", L))
st.subheader(t("cp.by_enterprise", L))
show(monitoring.complaints_by_enterprise(view),
     headers(["enterprise_code", "enterprise_name", "count_complaints", "count_reply_late", "count_unresolved",
              "count_counted", "count_timely", "timely_rate"], L), "cp_enterprises",
     f"{t('cp.by_enterprise', L)}_{area_name}", link=("enterprise_code", "enterprise"),
     helps={"count_reply_late": helps["reply_late"], "count_unresolved": helps["unresolved"],
            "timely_rate": helps["timely_rate"]})
st.subheader(t("cp.open_now", L))
st.caption(t("cp.open_now_note", L))
live = docking.area_complaints(view)
live = live[live["stage"] != "done"].assign(stage_text=lambda f: f["stage"].map(lambda s: t(f"dk.stage.{s}", L)),
                                            source_text=lambda f: f["source"].map(lambda s: t(f"dk.source.{s}", L)))
LIVE = ["complaint_id", "stage_text", "workdays_left", "reply_late", "unresolved", "institution_name", "enterprise_name",
        "issue_type", "raised_date", "reply_due", "reply_date", "promised_date", "source_text"]
show(live, {c: t(f"dk.col.{c}", L) if c in ("stage_text", "workdays_left", "reply_due", "source_text")
            else headers([c], L)[c] for c in LIVE}, "cp_live", f"{t('cp.open_now', L)}_{area_name}")
st.subheader(t("cp.overdue", L))
# how long the reply took beside the reply (as the last column it scrolled out of view at 1400 px)
show(complaints[complaints["reply_late"] | complaints["unresolved"]],
     headers(["complaint_id", "institution_name", "enterprise_name", "issue_type", "raised_date", "reply_date",
              "reply_workdays", "promised_date", "resolved_date"], L), "cp_overdue", f"{t('cp.overdue', L)}_{area_name}")
