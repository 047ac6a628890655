"""自查自纠 (二（六））: an institution's own account sees its indicators against their thresholds and the notice's
clauses with what to correct, beside its county's and city's figures; its step on the measures ladder; the
explanations asked of it, which it gives here (作出说明); its agreements and their progress, the delivery of its orders
by supplier, and what was recorded on its cases."""
import streamlit as st

from core.access import actions
from core.access.roles import AccessDenied
from core.present import charts
from core.present.i18n import headers, t, tn, vocabulary
from core.read import docking, scorecard
from ui import text
from ui.cards import ACTION_COLUMNS
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/inst_self.py", "nav.inst_self", with_area=False)
me = docking.institution(view)
code = me["institution_code"]
card = scorecard.institution_card(view, code, L)
st.subheader(text.plain(me["institution_name"]))
where = me["county_name"] if me["city_name"] in (None, me["county_name"]) else f"{me['city_name']} {me['county_name']}"
st.caption(text.plain(f"{code} · {where} · {vocabulary(me['level'], L)} {vocabulary(me['category'], L)} · "
                      f"{t('sc.as_of', L)} {view.as_of}"))
ladder = card["ladder"]
if ladder is not None and ladder["step"]:
    message = t("sc.ladder_done" if ladder["done"] else "sc.ladder_todo", L).format(
        step=ladder["step"], measure=ladder["measure"], score=ladder["score"], next=text.plain(ladder["recommended"]))
    (st.error if ladder["is_red"] else st.warning)((t("sc.red_mark", L) if ladder["is_red"] else "") + message)
else:
    st.success(t("dk.no_ladder", L))
st.subheader(t("dk.self", L))
st.caption(t("dk.self_note", L))
# What to correct and how first (at 1400 px the last columns scroll out of view); the county's and city's figures last.
SELF = {"indicator": None, "value": "dk.mine", "requirement": "dk.requirement", "meets": "dk.meets",
        "to_correct": "dk.to_correct", "advice": "dk.advice", "involved": "dk.involved", "count_own": "dk.count_own",
        "clause": None, "county_value": "dk.county_value",
        "city_value": "dk.city_value"}  # a column's label: the catalogue's, or the table's
mine = docking.self_inspection(view, L)
# 达标 beside 需整改 read as a contradiction where the indicator meets its line and one product is flagged: how many
mine = mine.assign(to_correct=[tn("dk.to_correct_n", L, n=n) if said == "是" else said
                               for said, n in zip(mine["to_correct"], mine["count_own"])])
show(mine, {c: t(k, L) if k else headers([c], L)[c] for c, k in SELF.items()},
     "dk_self", f"{t('dk.self', L)}_{code}", percent=("value", "county_value", "city_value"))
if not card["flags"].empty:
    st.subheader(t("sc.flags", L))
    show(card["flags"], headers(["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text", "clause"], L),
         "dk_flags", f"{t('sc.flags', L)[:4]}_{code}")
explanations = card["explanations"]
st.subheader(t("sc.explanations", L))
if explanations.empty:
    st.caption(t("dk.no_explanations", L))
else:
    st.caption(t("dk.explanations_note", L))
    show(explanations, headers(["flag_name", "detail_code", "detail_name", "value_text", "threshold_text", "status",
                                "due", "explanation"], L), "dk_explanations", f"{t('sc.explanations', L)}_{code}")
    open_ones = explanations[~explanations["closed"].astype(bool)]
    if len(open_ones):
        with st.form("dk_explain"):
            labels = {i: f"{r.flag_name} · {r.detail_name or r.detail_code}" for i, r in open_ones.iterrows()}
            chosen = st.selectbox(t("dk.explain_which", L), list(labels), format_func=lambda i: labels[i],
                                  key="dk_explain_which")
            said = st.text_area(t("dk.explain_text", L), key="dk_explain_text", max_chars=actions.NOTE_MAX)
            if st.form_submit_button(t("dk.explain_submit", L)):
                row = open_ones.loc[chosen]
                try:
                    actions.explain(view, row["flag_id"], row["detail_code"], said)
                    st.session_state["dk_flash"] = t("dk.explained", L)
                    st.rerun()
                except (ValueError, AccessDenied) as err:
                    st.error(text.plain(str(err)))
if "dk_flash" in st.session_state:
    st.success(st.session_state.pop("dk_flash"))
if not card["supply_flags"].empty:
    st.subheader(t("sc.supply_flags", L))
    st.caption(t("sc.supply_flags_note", L))
    show(card["supply_flags"], headers(["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text",
                                        "manufacturer", "distributors", "clause"], L), "dk_supply_flags",
         f"{t('sc.supply_flags', L)}_{code}")
st.subheader(t("dk.suppliers", L))
show(docking.suppliers(view), headers(["enterprise_code", "enterprise_name", "role", "ordered_qty", "delivered_qty",
                                       "delivery_rate"], L), "dk_suppliers", f"{t('dk.suppliers', L)}_{code}")
st.subheader(t("sc.agreements", L))
show(card["agreements"], headers(["product_code", "generic_name", "dosage_form", "reported_qty", "prior_year_qty",
                                  "agreed_qty", "purchased_qty", "completion", "delivery_rate"], L),
     "dk_agreements", f"{t('sc.agreements', L)}_{code}")
st.plotly_chart(charts.trend(card["monthly"], {"delivery": t("ov.delivery", L), "nonselected": t("ov.share", L)},
                             t("sc.trend", L), L), key="dk_trend")
st.subheader(t("sc.actions", L))
show(card["actions"], headers(ACTION_COLUMNS, L), "dk_actions", f"{t('sc.actions', L)}_{code}")
