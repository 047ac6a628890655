"""约谈名单: red-flagged institutions and tier C/D enterprises of an area; record actions; export."""
import datetime as dt

import streamlit as st

from core import interviews, marts
from core.i18n import t
from ui.session import lang, routed, store

routed("pages/interviews.py")

s = store()
L = lang()
st.title(t("iv.title", L))
as_of = marts.current_as_of(s)
if as_of is None:
    st.info(t("empty.no_marts", L))
    st.stop()

regions = s.regions()
names = dict(zip(regions["region_code"], regions["region_name"]))
cities = regions[regions["region_level"] == "city"]["region_code"].tolist()
area = st.query_params.get("area", s.province_code)
city_default = area[:4] + "00" if area != s.province_code else s.province_code
c1, c2 = st.columns(2)
city = c1.selectbox(t("iv.city", L), [s.province_code] + cities,
                    index=([s.province_code] + cities).index(city_default) if city_default in cities else 0,
                    format_func=lambda c: t("iv.all", L) if c == s.province_code else names[c], key="iv_city")
counties = regions[regions["parent_code"] == city]["region_code"].tolist() if city != s.province_code else []
county = c2.selectbox(t("iv.county", L), [city] + counties,
                      index=([city] + counties).index(area) if area in counties else 0,
                      format_func=lambda c: t("iv.all", L) if c == city else names[c], key="iv_county",
                      disabled=not counties)
area = county
st.query_params["area"] = area

listed = interviews.interview_list(s, area)
if listed.empty:
    st.info(t("iv.empty", L))
    st.stop()
n_inst = int((listed["subject_type"] == "institution").sum())
st.caption(t("iv.count", L).format(n=len(listed), i=n_inst, e=len(listed) - n_inst) + " · " + t("iv.select_hint", L))
shown = listed.assign(subject_type=listed["subject_type"].map({"institution": "医疗机构", "enterprise": "企业"}),
                      tier=listed["tier"].fillna(""), status_date=listed["status_date"].fillna("").astype(str))
event = st.dataframe(shown.rename(columns=interviews.LIST_HEADERS), hide_index=True, width="stretch",
                     on_select="rerun", selection_mode="multi-row", key="iv_table")
rows = list(event.selection.rows) if event is not None else []

with st.form("iv_action"):
    st.subheader(t("iv.record", L))
    f1, f2 = st.columns(2)
    status = f1.selectbox(t("iv.status", L), interviews.STATUSES[1:], key="iv_status")
    when = f2.date_input(t("iv.date", L), value=dt.date.today(), key="iv_date")
    note = st.text_area(t("iv.note", L), key="iv_note")
    if st.form_submit_button(t("iv.save", L), disabled=False) and rows:
        chosen = listed.iloc[rows]
        written = 0
        for kind, group in chosen.groupby("subject_type"):
            written += interviews.record_action(s, kind, group["subject_code"].tolist(), status, note, when,
                                                st.session_state.get("username", "officer"))
        st.session_state["iv_flash"] = t("iv.saved", L).format(n=written)
        st.rerun()  # show the list with its new status
if "iv_flash" in st.session_state:
    st.success(st.session_state.pop("iv_flash"))

st.download_button(t("iv.download", L),
                   data=interviews.export(s, area, names.get(area, area), st.session_state.get("username", "officer"), as_of),
                   file_name=f"约谈名单_{names.get(area, area)}_{as_of:%Y%m%d}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="iv_download")
