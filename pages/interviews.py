"""约谈名单: institutions at step 3 or above of the ladder or red-flagged, and tier C/D enterprises, of an area; record
actions; export."""

import streamlit as st

from core.access import actions
from core.present.i18n import paren, t, tn
from core.read import interviews
from ui import casework, text
from ui.session import user, viewed
from ui.tables import download, height, more, open_card, shown

view, L = viewed("pages/interviews.py", "iv.title")
me = user()

listed = interviews.interview_list(view, L)
if listed.empty:
    st.info(t("iv.empty", L))
    st.stop()
n_inst = int((listed["subject_type"] == "institution").sum())
st.caption(tn("iv.count", L, n=len(listed), i=n_inst, e=len(listed) - n_inst) + " · "
           + t("iv.select_hint" if me.can("record") else "iv.open_hint", L))
data, config = shown(listed.assign(subject_type=listed["subject_type"].map(lambda k: t(f"iv.type.{k}", L))),
                     {c: t(f"iv.col.{c}", L) for c in interviews.LIST_COLUMNS}, L)
event = st.dataframe(data, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                     key=casework.table_key("iv_table", view), column_config=config, placeholder="—",
                     height=height(len(data)))
more(len(data), L)  # ten rows show at a time: how many the list holds
rows = list(event.selection.rows) if event is not None else []
if len(rows) == 1:
    one = listed.iloc[rows[0]]
    if st.button(t("iv.open", L).format(name=text.plain(one["subject_name"])), key="iv_open"):
        open_card(one["subject_type"], one["subject_code"])

KIND = {"institution": "ladder", "enterprise": "tier"}  # the case each row is
if me.can("record") and not rows:
    st.info(t("iv.select_first", L))  # where the form will be
elif me.can("record"):
    chosen = listed.iloc[rows]
    casework.record_form(view, {KIND[k]: g["subject_code"].tolist() for k, g in chosen.groupby("subject_type")},
                         [f"{n}{paren(c, L)}" for n, c in zip(chosen["subject_name"], chosen["subject_code"])], L, "iv")
else:
    st.caption(t("iv.read_only", L))
casework.flash("iv")

download(t("iv.download", L), lambda: actions.export(view), f"约谈名单_{view.area_name}_{view.as_of:%Y%m%d}.xlsx",
         "iv_download")
