"""诉求: timeliness by enterprise, overdue complaints, and the monthly trend."""
import streamlit as st

from core import charts, marts, monitoring, overview
from ui.filters import area_picker
from ui.session import lang, routed, store
from ui.tables import show

routed("pages/complaints.py")

s = store()
L = lang()
st.title("诉求" if L == "zh" else "Complaints")
if marts.current_as_of(s) is None:
    st.info("汇总表尚未生成：请先导入数据或载入演示数据。")
    st.stop()
area, area_name = area_picker(s, L)
complaints = monitoring.complaint_table(s, area)
c1, c2, c3 = st.columns(3)
c1.metric("诉求数", len(complaints))
c2.metric("未按时回复", int(complaints["reply_late"].sum()))
c3.metric("未按时解决", int(complaints["unresolved"].sum()))
st.plotly_chart(charts.trend(overview.monthly_rates(s, area), {"timely_rate": "诉求及时解决率"}, "按反馈月份的及时解决率"),
                key="cp_trend")
st.subheader("各企业诉求处理")
show(monitoring.complaints_by_enterprise(complaints),
     {"enterprise_code": "企业编码", "enterprise_name": "企业名称", "count_complaints": "诉求数",
      "count_reply_late": "未按时回复", "count_unresolved": "未按时解决", "timely_rate": "及时解决率"},
     "cp_enterprises", f"企业诉求处理_{area_name}", link=("enterprise_code", "enterprise"))
st.subheader("逾期诉求")
overdue = complaints[complaints["reply_late"] | complaints["unresolved"]]
show(overdue, {"complaint_id": "诉求编号", "institution_name": "反馈机构", "enterprise_name": "被反馈企业",
               "issue_type": "问题类型", "raised_date": "反馈日期", "reply_date": "回复日期", "promised_date": "承诺日期",
               "resolved_date": "解决日期", "reply_workdays": "回复用时（工作日）"}, "cp_overdue", f"逾期诉求_{area_name}")
