"""诉求对接 (二（四））: an institution raises a complaint with an enterprise that supplies it and confirms or disputes the
resolution; the enterprise sees each complaint with the working days left to its deadline, replies with a promised
resolution date (no later than the rule allows) and marks it resolved. Both sides read the complaint as it stands
now, the other side's step included."""
import streamlit as st

from core.access import complaints as workflow
from core.access.roles import AccessDenied
from core.policy import clock
from core.policy.extract import ISSUE_TYPES
from core.policy.workdays import DEFAULT as CALENDAR
from core.present.i18n import headers, paren, rule_values, ruled, t, tn, vocabulary
from core.read import docking
from ui import text
from ui.session import user, viewed
from ui.tables import show

view, L = viewed("pages/desk.py", "nav.desk", with_area=False)
me = user()
listed = docking.complaints(view)
STAGES = {s: t(f"dk.stage.{s}", L) for s in ("answer", "resolve", "confirm", "done")}
shown = listed.assign(stage_text=listed["stage"].map(STAGES),
                      source_text=listed["source"].map(lambda s: t(f"dk.source.{s}", L)))
# The dates in the order they happen right after the stage (at 1400 px they were past the right edge), then who
# and what, then the texts.
COLUMNS = ["complaint_id", "stage_text", "workdays_left", "raised_date", "reply_due", "reply_date", "promised_date",
           "resolved_date", "institution_name", "enterprise_name", "generic_name", "issue_type", "description",
           "reply_text", "confirmation", "confirmation_note", "source_text"]
LABELS = {c: t(f"dk.col.{c}", L) for c in ("stage_text", "workdays_left", "description", "reply_due", "reply_text",
                                           "confirmation", "confirmation_note", "source_text")}


def attempt(action, done: str) -> None:
    try:
        action()
    except (ValueError, AccessDenied, RuntimeError) as err:
        st.error(text.plain(str(err)))
        return
    st.session_state["desk_flash"] = done
    st.rerun()


if "desk_flash" in st.session_state:
    st.success(st.session_state.pop("desk_flash"))
waiting = listed[listed["stage"].isin(["answer", "resolve"] if me.role == "enterprise" else ["confirm"])]
settings = view.store.settings()
st.caption(tn(f"dk.desk_note.{me.role}", L, n=len(waiting), **rule_values(settings)))  # the rule's days in force
if me.role == "institution":
    st.markdown(f"**{t('dk.raise', L)}**")
    partners = docking.counterparts(view)
    names = dict(zip(partners["enterprise_code"], partners["enterprise_name"]))
    roles_of = dict(zip(partners["enterprise_code"], partners["role"]))
    enterprise = st.selectbox(t("dk.enterprise", L), list(names), key="desk_enterprise", index=None,
                              placeholder=t("dk.pick_enterprise", L),  # none chosen for the user: a choice of theirs
                              format_func=lambda c: f"{names[c]}{paren(vocabulary(roles_of[c], L), L)}")
    products = partners[partners["enterprise_code"] == enterprise]
    labels = {"": t("dk.no_product", L), **{p: f"{g} {s or ''}{paren(p, L)}" for p, g, s in
                                            zip(products["product_code"], products["generic_name"],
                                                products["specification"])}}
    with st.form("desk_raise"):
        product = st.selectbox(t("dk.product", L), list(labels), format_func=lambda p: labels[p], key="desk_product")
        issue = st.selectbox(t("dk.issue", L), list(ISSUE_TYPES), key="desk_issue", format_func=lambda i: vocabulary(i, L))
        said = st.text_area(t("dk.description", L), key="desk_description", max_chars=workflow.TEXT_MAX)
        if st.form_submit_button(t("dk.raise_submit", L), type="primary"):
            attempt(lambda: workflow.raise_complaint(view, enterprise, product or None, issue, said), ruled("dk.raised", L, settings))
    to_confirm = listed[listed["stage"] == "confirm"]
    if len(to_confirm):
        with st.form("desk_confirm"):
            st.markdown(f"**{t('dk.confirm', L)}**")
            which = st.selectbox(t("dk.which", L), to_confirm["complaint_id"].tolist(), key="desk_confirm_which")
            verdict = st.radio(t("dk.verdict", L), ["yes", "no"], horizontal=True, key="desk_verdict",
                               format_func=lambda v: t(f"dk.verdict.{v}", L))
            note = st.text_input(t("dk.dispute_note", L), key="desk_dispute_note", max_chars=500)
            if st.form_submit_button(t("dk.confirm_submit", L)):
                attempt(lambda: workflow.confirm(view, which, verdict == "yes", note), t("dk.confirmed", L))
else:
    in_app = listed[listed["source"] == "app"]  # an imported complaint is answered on the platform
    to_answer, to_resolve = in_app[in_app["stage"] == "answer"], in_app[in_app["stage"] == "resolve"]
    if (listed["stage"].isin(["answer", "resolve"]) & (listed["source"] != "app")).any():
        st.caption(t("dk.imported_note", L))
    if len(to_answer):
        today = clock.today()
        latest = CALENDAR.add(today, int(settings["complaint_resolve_workdays"]))
        with st.form("desk_reply"):
            st.markdown(f"**{t('dk.reply', L)}**")
            which = st.selectbox(t("dk.which", L), to_answer["complaint_id"].tolist(), key="desk_reply_which",
                                 format_func=lambda c: f"{c} · " + str(  # options show as plain text
                                     to_answer.set_index("complaint_id").loc[c, "institution_name"]))
            promised = st.date_input(t("dk.promised", L), value=latest, format="YYYY-MM-DD", key="desk_promised",
                                     help=ruled("dk.promised_help", L, settings, latest=latest))
            said = st.text_area(t("dk.reply_text", L), key="desk_reply_text", max_chars=workflow.TEXT_MAX)
            if st.form_submit_button(t("dk.reply_submit", L), type="primary"):
                attempt(lambda: workflow.reply(view, which, promised, said), t("dk.replied", L))
    if len(to_resolve):
        with st.form("desk_resolve"):
            st.markdown(f"**{t('dk.resolve', L)}**")
            which = st.selectbox(t("dk.which", L), to_resolve["complaint_id"].tolist(), key="desk_resolve_which")
            if st.form_submit_button(t("dk.resolve_submit", L)):
                attempt(lambda: workflow.resolve(view, which), t("dk.resolved", L))
st.subheader(t("dk.complaints", L))
OWN = {"enterprise": "enterprise_name", "institution": "institution_name"}  # the account's own name, on every row
show(shown, {c: LABELS.get(c) or headers([c], L)[c] for c in COLUMNS if c != OWN.get(me.role)},
     "desk_table", f"{t('dk.complaints', L)}_{me.entity}")
