"""季度通报: the quarterly notification (二（七）) drafted from a quarter's end figures for an area of the user's
jurisdiction, previewed and downloaded as a Word document laid out as an official document; an officer then
confirms it was issued, with its number, which records 已通报 on the institutions it lists."""
import streamlit as st

from core.access import notices
from core.access.roles import AccessDenied
from core.present import notice_doc
from core.present.i18n import t, tn
from ui import text
from ui.session import start, user
from ui.tables import show

store, L = start("pages/notice.py", "nav.notice")
me = user()
st.caption(t("nt.caption", L))
quarters = notices.quarters(store)


def quarter_label(q: str) -> str:
    return t("nt.quarter_label", L).format(y=q[:4], q="一二三四"[int(q[-1]) - 1] if L == "zh" else q[-1])


if not quarters:
    st.info(t("nt.no_quarter", L))
    st.stop()
regions = store.regions()
names = dict(zip(regions["region_code"], regions["region_name"]))
areas = [me.scope] + sorted(regions.loc[regions["parent_code"] == me.scope, "region_code"])
c1, c2 = st.columns(2)
quarter = c1.selectbox(t("nt.quarter", L), quarters, key="nt_quarter", format_func=quarter_label)
area = c2.selectbox(t("nt.area", L), areas, key="nt_area", format_func=lambda c: names.get(c, c))
if st.button(t("nt.generate", L), type="primary", key="nt_generate"):
    bar = st.progress(0.0, text=t("nt.generate", L))
    try:
        made = notices.generate(store, me, quarter, area, progress=lambda f, m: bar.progress(
            min(max(f, 0.0), 1.0), text=f"{t('nt.generate', L)} {m}"))
    except (ValueError, AccessDenied) as err:
        bar.empty()
        st.error(text.plain(str(err)))
    else:
        bar.empty()
        st.session_state["nt_made"] = made
made = st.session_state.get("nt_made")
if made is not None:
    content = made.content
    for zh, en in made.notes:
        st.warning(text.plain(en if L == "en" else zh))
    st.download_button(t("nt.download", L), made.document, file_name=made.file_name, type="primary",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="nt_download")
    with st.expander(t("nt.preview", L), expanded=True):
        for line in notice_doc.paragraphs(made.document)[:60]:
            st.text(line)
    st.markdown(f"**{t('nt.indicators', L)}**")
    show(content.indicators, {c: t(f"nt.col.{c}", L) for c in ("indicator", "value_text", "previous_text",
                                                               "change_text", "threshold_text", "count_flagged")},
         "nt_indicators", t("nt.indicators", L))
    st.markdown(f"**{tn('nt.listed', L, n=len(content.institutions), due=content.deadline)}**")
    listed = content.institutions.assign(problems_text=content.institutions["problems"].map("；".join))
    show(listed, {c: t(f"nt.col.{c}", L) for c in ("city_name", "county_name", "institution_name", "problems_text",
                                                    "measure")},
         "nt_listed", tn("nt.listed", L, n=len(content.institutions), due=content.deadline))

st.subheader(t("nt.history", L))
done = notices.history(store, me)
done = done.assign(status_text=done["status"].map(lambda s: t(f"nt.status.{s}", L)),
                   quarter_text=done["quarter"].map(quarter_label))
show(done, {c: t(f"nt.col.{c}", L) for c in ("notice_id", "quarter_text", "area_name", "count_institutions", "deadline",
                                                "status_text", "doc_number", "generated_by", "generated_at", "issued_by",
                                                "void_reason")},
     "nt_history", t("nt.history", L))


def attempt(action, done) -> None:
    try:
        result = action()
    except (ValueError, AccessDenied) as err:
        st.error(text.plain(str(err)))
    else:
        st.session_state["nt_flash"] = done(result)
        st.rerun()


def choice(frame, key: str):
    labels = {int(n): f"#{n} · {quarter_label(q)} · {a}" for n, q, a in
              zip(frame["notice_id"], frame["quarter"], frame["area_name"])}
    return st.selectbox(t("nt.which", L), list(labels), format_func=labels.get, key=key)  # options: plain text


def with_reason(frame, key: str, none: str, submit: str, action, done) -> None:
    """A form that sets one notification of `frame` aside with a reason (作废 a draft, 撤销 an issue)."""
    if frame.empty:
        st.caption(t(none, L))
        return
    with st.form(key):
        which = choice(frame, f"{key}_which")
        why = st.text_input(t("nt.reason", L), max_chars=200, key=f"{key}_reason")
        if st.form_submit_button(t(submit, L)):
            attempt(lambda: action(store, me, which, why), done)


drafts, issued = done[done["status"] == "draft"], done[done["status"] == "issued"]
# What can be done to the notifications made: nothing to show before the first (its table says 暂无记录 already).
tabs = [] if drafts.empty and issued.empty else \
    st.tabs([t("nt.confirm", L), t("nt.discard", L), t("nt.revoke", L)] if me.can("issue") else [t("nt.discard", L)])
if tabs and me.can("issue"):
    with tabs[0]:
        if drafts.empty:
            st.caption(t("nt.no_draft", L))
        else:
            with st.form("nt_confirm"):
                which = choice(drafts, "nt_which")
                number = st.text_input(t("nt.number", L), max_chars=notices.NUMBER_MAX, key="nt_number")
                if st.form_submit_button(t("nt.confirm_submit", L)):
                    attempt(lambda: notices.confirm_issued(store, me, which, number),
                            lambda r: tn("nt.confirmed", L, n=r.written) + (
                                t("nt.left_out", L).format(codes="、".join(r.left_out)) if r.left_out else ""))
    with tabs[2]:
        with_reason(issued, "nt_revoke", "nt.no_issued", "nt.revoke_submit", notices.revoke,
                    lambda n: tn("nt.revoked", L, n=n))
if tabs:
    with tabs[1 if me.can("issue") else 0]:
        with_reason(drafts, "nt_discard", "nt.no_draft", "nt.discard_submit", notices.discard,
                    lambda _r: t("nt.discarded", L))
if "nt_flash" in st.session_state:
    st.success(text.plain(st.session_state.pop("nt_flash")))
