"""采购监测: progress against schedule, over-purchases and unreported purchases, non-selected shares,
substitutable drugs, offline purchases, abnormal orders and late receipt confirmation."""
import streamlit as st

from core.policy.indicators import flag_name
from core.present.i18n import headers, t
from core.read import monitoring
from ui.session import viewed
from ui.tables import show

view, L = viewed("pages/procurement.py", "nav.procurement")
settings = view.store.settings()
area_name = view.area_name

GROUPS = {
    "pc.progress": ("progress_behind_schedule", "purchase_over_4x", "unreported_purchase"),
    "pc.nonselected": ("nonselected_share_high", "substitute_increase"),
    "pc.other": ("offline_purchase", "abnormal_order", "receipt_confirmation_late"),
}
# what a tab's flags concern, named for it (the catalogue's "涉及产品/品种/订单/诉求" took the width the product's name needs)
DETAIL = {"pc.progress": "pc.detail.product", "pc.nonselected": "pc.detail.group", "pc.other": "pc.detail.order"}
# the flag with its value against its threshold first, then whose and what (at 1400 px the last columns scroll)
columns = headers(["flag_name", "severity_zh", "value_text", "threshold_text", "institution_code", "institution_name",
                   "county_name", "detail_code", "detail_name", "clause"], L)
for (label, flag_ids), tab in zip(GROUPS.items(), st.tabs([t(k, L) for k in GROUPS])):
    with tab:
        flags = monitoring.institution_flags(view, flag_ids, L)
        for col, flag_id in zip(st.columns(len(flag_ids)), flag_ids):
            col.metric(flag_name(flag_id, L, settings), int((flags["flag_id"] == flag_id).sum()))
        if flags.empty:
            st.info(t("pc.none", L).format(area=area_name))
        else:
            show(flags, {**columns, "detail_code": t(DETAIL[label], L)}, f"pc_{flag_ids[0]}", f"{t(label, L)}_{area_name}",
                 link=("institution_code", "institution"))
