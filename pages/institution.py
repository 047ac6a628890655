"""机构档案: everything about one institution."""
import streamlit as st

from core.present import charts
from core.present.i18n import headers, ruled, t, vocabulary
from core.read import scorecard
from ui import text
from ui import cards
from ui.cards import ACTION_COLUMNS, choose
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/institution.py", "nav.institution", with_area=False)
code = choose(view, "institution", L)
card = scorecard.institution_card(view, code, L) if code else None
if card is None:
    if code:  # chosen, yet no card: said, never a blank page
        st.info(t("sc.no_card", L).format(code=text.plain(code)))
    else:
        cards.first_to_open(view, "institution", L)
    st.stop()
info = card["info"]
st.subheader(text.plain(info["institution_name"]))
where = info["county_name"] if info["city_name"] in (None, info["county_name"]) else f"{info['city_name']} {info['county_name']}"
st.caption(text.plain(f"{info['institution_code']} · {where} · "
                      f"{vocabulary(info['level'], L)} {vocabulary(info['category'], L)} · "
                      f"{t('sc.primary' if info['is_primary'] else 'sc.non_primary', L)} · {t('sc.as_of', L)} {view.as_of}"))
ladder = card["ladder"]
if ladder is not None and ladder["step"]:
    message = t("sc.ladder_done" if ladder["done"] else "sc.ladder_todo", L).format(
        step=ladder["step"], measure=ladder["measure"], score=ladder["score"], next=text.plain(ladder["recommended"]))
    (st.error if ladder["is_red"] else st.warning)((t("sc.red_mark", L) if ladder["is_red"] else "") + message)
st.subheader(t("sc.indicators", L))
show(card["indicators"].assign(indicator=card["indicators"]["indicator_id"].map(lambda i: t(f"indicator.{i}", L))),
     {**headers(["indicator", "numerator", "denominator", "value"], L), "count_own": t("sc.count_own", L),
      "count_supply": t("sc.count_supply", L)},  # as 自查自纠 splits them: the institution's own, its suppliers
     "in_ind", f"{t('sc.indicators', L)}_{code}", percent=("value",))  # each indicator's value is a rate or ratio
cards.flags(card, "in_flags", code, L)
if not card["supply_flags"].empty:
    st.subheader(t("sc.supply_flags", L))
    st.caption(t("sc.supply_flags_note", L))
    show(card["supply_flags"], headers(["flag_name", "severity_zh", "detail_code", "value_text", "threshold_text",
                                        "manufacturer", "distributors", "clause"], L), "in_supply_flags",
         f"{t('sc.supply_flags', L)}_{code}")
if not card["explanations"].empty:
    st.subheader(t("sc.explanations", L))
    st.caption(ruled("case.help.explanation", L, view.store.settings()))
    show(card["explanations"], headers(["flag_name", "detail_code", "detail_name", "value_text", "threshold_text",
                                        "status", "due", "explanation", "recommended"], L), "in_explanations",
         f"{t('sc.explanations', L)}_{code}")
st.plotly_chart(charts.trend(card["monthly"], {"delivery": t("ov.delivery", L), "nonselected": t("ov.share", L)},
                             t("sc.trend", L), L), key="in_trend")
st.subheader(t("sc.agreements", L))
show(card["agreements"], headers(["product_code", "generic_name", "dosage_form", "reported_qty", "prior_year_qty",
                                  "agreed_qty", "purchased_qty", "completion", "delivery_rate"], L),
     "in_agr", f"{t('sc.agreements', L)}_{code}")
st.subheader(t("sc.complaints_raised", L))
show(card["complaints"], headers(["complaint_id", "enterprise_name", "issue_type", "raised_date", "reply_date",
                                  "promised_date", "resolved_date"], L), "in_comp", f"{t('sc.complaints_raised', L)}_{code}")
st.subheader(t("sc.actions", L))
show(card["actions"], headers(ACTION_COLUMNS, L), "in_actions", f"{t('sc.actions', L)}_{code}")
