"""案件处理: every case of the area, kind by kind (the institutions' measures ladder, explanations, enterprises' tiers,
imbalanced areas, complaints to supervise), what is overdue and what went to the province; officers record actions."""
import streamlit as st

from core.policy import cases as C
from core.present.i18n import headers, paren, ruled, t
from core.read import cases
from ui import casework
from ui.session import user, viewed
from ui.tables import show

view, L = viewed("pages/cases.py", "nav.cases")
me = user()
late, escalated = cases.overdue(view, L), cases.escalated(view, L)
found = {kind: cases.READERS[kind](view, L) for kind in C.KINDS}
ladder = found["ladder"]
explanation = found["explanation"]
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("case.m.ladder_todo", L), int(((ladder["step"] > 0) & ~ladder["done"].astype(bool)).sum()) if len(ladder) else 0)
c2.metric(t("case.m.explanations", L), int((~explanation["closed"].astype(bool)).sum()) if len(explanation) else 0)
c3.metric(t("case.m.overdue", L), len(late))
c4.metric(t("case.m.escalated", L), len(escalated))
st.caption(t("case.caption", L))
st.caption(t("case.pick" if me.can("record") else "case.read_only", L))

COLUMNS = {  # each kind's table: what identifies the case, the problem, what to do next, where it stands (at 1400 px
    # the last columns scroll out of view: the problem comes before the figures that sort or qualify it)
    "ladder": ["subject_code", "subject_name", "area_name", "flags", "recommended", "status", "due", "score", "is_red"],
    "explanation": ["subject_code", "subject_name", "flag_name", "detail_name", "value_text", "threshold_text",
                    "recommended", "status", "due", "explanation"],
    "tier": ["subject_code", "subject_name", "role", "tier", "measure", "status", "delivery_tier", "delivery_rate",
             "complaint_tier", "timely_rate", "cooperation_tier", "count_uncooperative"],
    "area": ["subject_code", "subject_name", "level_name", "area_name", "problem", "recommended", "status",
             "gap_points", "primary_rate", "others_rate"],
    "complaint": ["complaint_id", "area_name", "subject_name", "recommended", "status", "problem", "issue_type",
                  "raised_date", "reply_date", "resolved_date"],
}
LABELS = {"ladder": {"area_name": t("iv.col.area_name", L)}, "explanation": {},
          "tier": {"measure": t("case.col.tier_measure", L)}, "area": {"level_name": t("case.col.level", L), "area_name": t("case.col.parent", L)},
          "complaint": {"area_name": t("case.col.institution", L), "subject_name": t("case.col.enterprise", L)}}

HELPS = {"score": t("case.help_score", L), "is_red": t("case.help_red", L)}
tabs = st.tabs([f"{t(f'case.tab.{kind}', L)}{paren(len(found[kind]), L)}" for kind in C.KINDS]
               + [f"{t('case.tab.overdue', L)}{paren(len(late), L)}",
                  f"{t('case.tab.escalated', L)}{paren(len(escalated), L)}"])
for tab, kind in zip(tabs, C.KINDS):
    with tab:
        frame = found[kind]
        st.caption(ruled(f"case.help.{kind}", L, view.store.settings()))
        labels = {**headers(COLUMNS[kind], L), **LABELS[kind]}
        if frame.empty:
            st.caption(t("table.none", L))
        elif me.can("record"):
            rows = casework.selectable(frame, labels, casework.table_key(f"cs_{kind}_table", view), L,
                                       f"{t(f'case.tab.{kind}', L)}_{view.area_name}", HELPS)
            if rows:
                picked = frame.iloc[rows]
                keys = list(zip(picked["subject_code"], picked["flag_id"], picked["detail_code"]))
                casework.record_form(view, {kind: keys}, [f"{n}{paren(c, L)}" for n, c in zip(picked["subject_name"],
                                                                                   picked["subject_code"])], L, f"cs_{kind}")
            casework.flash(f"cs_{kind}")
        else:
            show(frame, labels, f"cs_{kind}_table", f"{t(f'case.tab.{kind}', L)}_{view.area_name}", helps=HELPS)
common = {**headers(["case_name"], L), "area_name": t("case.col.where", L),
          **headers(["subject_code", "subject_name", "problem", "status", "status_date", "recommended", "due"], L)}
for tab, frame, name in ((tabs[-2], late, "overdue"), (tabs[-1], escalated, "escalated")):
    with tab:
        st.caption(t(f"case.help.{name}", L))
        shown_frame = frame.assign(case_name=frame["case_kind"].map(lambda k: t(f"case.tab.{k}", L)))
        show(shown_frame, common, f"cs_{name}", f"{t(f'case.tab.{name}', L)}_{view.area_name}")
if me.can("record"):
    casework.withdraw_box(view, L, "cs")
    casework.flash("cs")
