"""采购监测: progress against schedule, over-purchases and unreported purchases, non-selected shares,
substitutable drugs, offline purchases, abnormal orders and late receipt confirmation."""
import streamlit as st

from core import marts, monitoring
from core.indicators import FLAG_BY_ID
from ui.filters import area_picker
from ui.session import lang, routed, store
from ui.tables import show

routed("pages/procurement.py")

s = store()
L = lang()
st.title("采购监测" if L == "zh" else "Procurement")
if marts.current_as_of(s) is None:
    st.info("汇总表尚未生成：请先导入数据或载入演示数据。")
    st.stop()
area, area_name = area_picker(s, L)

GROUPS = {
    "采购进度": ("progress_behind_schedule", "purchase_over_4x", "unreported_purchase"),
    "非中选与可替代": ("nonselected_share_high", "substitute_increase"),
    "其他采购行为": ("offline_purchase", "abnormal_order", "receipt_confirmation_late"),
}
headers = {"flag_name": "预警事项", "severity_zh": "等级", "institution_code": "机构编码", "institution_name": "医疗机构",
           "county_name": "区县", "detail_code": "涉及产品/品种/订单", "value": "实际值", "threshold": "阈值", "clause": "通知条款"}
for (label, flag_ids), tab in zip(GROUPS.items(), st.tabs(list(GROUPS))):
    with tab:
        flags = monitoring.institution_flags(s, area, flag_ids)
        cols = st.columns(len(flag_ids))
        for col, flag_id in zip(cols, flag_ids):
            col.metric(FLAG_BY_ID[flag_id].zh, int((flags["flag_id"] == flag_id).sum()))
        if flags.empty:
            st.info(f"{area_name}没有此类预警。")
        else:
            show(flags, headers, f"pc_{flag_ids[0]}", f"{label}_{area_name}", link=("institution_code", "institution"))
