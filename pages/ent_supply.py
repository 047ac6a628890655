"""供应对接 (用量对接, 二（三））: an enterprise's own account sees the agreed volumes of its products by institution, what
was bought, ordered and delivered, its delivery rate against the threshold and the shortfall; its tier with the
evidence and the measure it faces; and what was recorded on its cases."""
import streamlit as st

from core.policy.cases import tier_measure
from core.present.i18n import headers, percent_text, ruled, t, vocabulary
from core.read import cases, docking, scorecard
from ui import text
from ui.cards import ACTION_COLUMNS
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/ent_supply.py", "nav.ent_supply", with_area=False)
me = docking.enterprise(view)
card = scorecard.enterprise_card(view, me["enterprise_code"], L) or {"tier": {}}
tier = card["tier"]
st.subheader(text.plain(me["enterprise_name"]))
st.caption(text.plain(f"{me['enterprise_code']} · {vocabulary(me['role'], L)} · {t('sc.as_of', L)} {view.as_of}"))
warn = view.store.settings()["delivery_rate_warning"]
supply = docking.supply(view)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("sc.tier", L), tier.get("tier") or "—")
c2.metric(t("ov.delivery", L), percent_text(tier.get("delivery_rate")))
c3.metric(t("dk.below_count", L).format(x=percent_text(warn)), int(supply["is_below"].sum()),
          help=t("dk.below_count_help", L))
c4.metric(t("sc.uncooperative", L), int(tier.get("count_uncooperative") or 0))
measure = tier_measure(tier.get("tier"), me["role"])
if measure:
    st.error(t("dk.measure", L).format(tier=tier["tier"], m=vocabulary(measure, L)))
st.subheader(t("dk.supply", L))
st.caption(ruled("dk.supply_note", L, view.store.settings()))
only_below = st.toggle(t("dk.only_below", L).format(x=percent_text(warn)), key="dk_only_below")
show(supply[supply["is_below"]] if only_below else supply,
     # the rate and what is short, then the agreement's progress; the rate's basis after (the last columns scroll).
     # The rate's orders leave out the last days' (they beside 已采购 read as the same column twice): named so.
     {**headers(["institution_code", "institution_name", "county_name", "generic_name", "delivery_rate", "shortfall_qty",
                 "agreed_qty", "purchased_qty", "completion", "is_below", "ordered_qty", "delivered_qty", "product_code"],
                L), "ordered_qty": t("dk.rate_ordered", L)},
     "dk_supply", f"{t('dk.supply', L)}_{me['enterprise_code']}")
st.subheader(t("sc.tier_evidence", L))
show(scorecard.tier_evidence(tier, view.store.settings(), L), {"part": t("sc.part", L), "figure": t("sc.figure", L),
                                                              "tier": t("sc.tier", L), "rule": t("sc.rule", L)},
     "dk_tier", f"{t('sc.tier_evidence', L)}_{me['enterprise_code']}")
st.subheader(t("sc.actions", L))
show(cases.subject_history(view.store, "enterprise", me["enterprise_code"], L, view), headers(ACTION_COLUMNS, L),
     "dk_actions", f"{t('sc.actions', L)}_{me['enterprise_code']}")
