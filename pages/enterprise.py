"""企业档案: everything about one enterprise."""
import streamlit as st

from core.policy.cases import tier_measure
from core.present.i18n import headers, percent_text, t, vocabulary
from core.read import scorecard
from ui import text
from ui import cards
from ui.cards import ACTION_COLUMNS, choose
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/enterprise.py", "nav.enterprise", with_area=False)
code = choose(view, "enterprise", L)
card = scorecard.enterprise_card(view, code, L) if code else None
if card is None:
    if code:  # chosen, yet no card: said, never a blank page
        st.info(t("sc.no_card", L).format(code=text.plain(code)))
    else:
        cards.first_to_open(view, "enterprise", L)
    st.stop()
info, tier = card["info"], card["tier"]
st.subheader(text.plain(info["enterprise_name"]))
st.caption(text.plain(f"{info['enterprise_code']} · {vocabulary(info['role'], L)}"))


c1, c2, c3, c4 = st.columns(4)
c1.metric(t("sc.tier", L), tier.get("tier") or "—")
c2.metric(t("ov.delivery", L), percent_text(tier.get("delivery_rate")))
c3.metric(t("ov.timely", L), percent_text(tier.get("timely_rate")))
c4.metric(t("sc.uncooperative", L), int(tier.get("count_uncooperative") or 0))
measure = tier_measure(tier.get("tier"), info["role"])
if measure:
    st.error(t("sc.measure", L).format(m=vocabulary(measure, L)))
st.subheader(t("sc.tier_evidence", L))
show(scorecard.tier_evidence(tier, view.store.settings(), L), {"part": t("sc.part", L), "figure": t("sc.figure", L),
                                                              "tier": t("sc.tier", L), "rule": t("sc.rule", L)},
     "en_tier", f"{t('sc.tier_evidence', L)}_{code}")
cards.flags(card, "en_flags", code, L)
if not card["failed"].empty:
    st.subheader(t("sc.failed", L).format(x=percent_text(view.store.settings()["delivery_rate_warning"])))
    show(card["failed"], headers(["institution_code", "institution_name", "county_name", "delivery_rate",
                                  "delivered_qty", "ordered_qty"], L), "en_failed", f"{t('sc.failed_file', L)}_{code}",
         link=("institution_code", "institution"))
if not card["products"].empty:
    st.subheader(t("sc.products", L))
    show(card["products"], headers(["product_code", "generic_name", "dosage_form", "status", "delivery_rate",
                                    "ordered_qty", "count_institutions"], L), "en_products", f"{t('sc.products', L)}_{code}")
st.subheader(t("sc.complaints_received", L))
show(card["complaints"], headers(["complaint_id", "institution_name", "issue_type", "raised_date", "reply_date",
                                  "promised_date", "resolved_date"], L), "en_comp", f"{t('sc.complaints_received', L)}_{code}")
st.subheader(t("sc.actions", L))
show(card["actions"], headers(ACTION_COLUMNS, L), "en_actions", f"{t('sc.actions', L)}_{code}")
