"""约谈名单: red-flagged institutions and tier C/D enterprises of an area; record actions; export."""

import streamlit as st

from core.access import actions
from core.policy import clock, ladder
from core.present.i18n import t, vocabulary
from core.read import interviews
from ui import text
from ui.session import user, viewed
from ui.tables import download, open_card, shown

view, L = viewed("pages/interviews.py", "iv.title")
me = user()

listed = interviews.interview_list(view, L)
if listed.empty:
    st.info(t("iv.empty", L))
    st.stop()
n_inst = int((listed["subject_type"] == "institution").sum())
st.caption(t("iv.count", L).format(n=len(listed), i=n_inst, e=len(listed) - n_inst) + " · "
           + t("iv.select_hint" if me.can("record") else "iv.open_hint", L))
data, config = shown(listed.assign(subject_type=listed["subject_type"].map(lambda k: t(f"iv.type.{k}", L))),
                     {c: t(f"iv.col.{c}", L) for c in interviews.LIST_COLUMNS}, L)
event = st.dataframe(data, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                     key="iv_table", column_config=config, placeholder="—")
rows = list(event.selection.rows) if event is not None else []
if len(rows) == 1:
    one = listed.iloc[rows[0]]
    if st.button(t("iv.open", L).format(name=text.plain(one["subject_name"])), key="iv_open"):
        open_card(one["subject_type"], one["subject_code"])

if me.can("record") and not rows:
    st.info(t("iv.select_first", L))  # where the form will be
elif me.can("record"):
    with st.form("iv_action"):
        st.subheader(t("iv.record", L).format(n=len(rows)))
        f1, f2 = st.columns(2)
        status = f1.selectbox(t("iv.status", L), ladder.STATUSES[1:], key="iv_status",
                              format_func=lambda s: vocabulary(s, L))
        today = clock.today()
        when = f2.date_input(t("iv.date", L), value=today, max_value=today, key="iv_date", format="YYYY-MM-DD",
                             help=t("iv.date_help", L).format(as_of=view.as_of))
        note = st.text_area(t("iv.note", L), key="iv_note")
        if st.form_submit_button(t("iv.save", L)):
            chosen = listed.iloc[rows]
            written = 0
            for kind, group in chosen.groupby("subject_type"):
                written += actions.record_action(view, kind, group["subject_code"].tolist(), status, note, when)
            st.session_state["iv_flash"] = t("iv.saved", L).format(n=written)
            del st.session_state["iv_note"]  # a saved note does not stay in the form for the next rows
            st.rerun()  # show the list with its new status
else:
    st.caption(t("iv.read_only", L))
if "iv_flash" in st.session_state:
    st.success(st.session_state.pop("iv_flash"))

download(t("iv.download", L), lambda: actions.export(view), f"约谈名单_{view.area_name}_{view.as_of:%Y%m%d}.xlsx",
         "iv_download")
