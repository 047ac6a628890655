"""机构档案: everything about one institution."""
import streamlit as st

from core import charts, ladder, marts, scorecard
from ui.session import lang, routed, store
from ui.tables import show

routed("pages/institution.py")

s = store()
L = lang()
code = st.query_params.get("code") or st.text_input("机构编码", key="inst_code")
if not code:
    st.title("机构档案")
    st.info("请输入机构编码，或从任一列表的“档案”链接进入。")
    st.stop()
st.query_params["code"] = code
card = scorecard.institution_card(s, code)
if card is None:
    st.title("机构档案")
    st.warning(f"没有编码为 {code} 的医疗机构。")
    st.stop()
info = card["info"]
st.title(info["institution_name"])
st.caption(f"{info['institution_code']} · {info['city_name']} {info['county_name']} · {info['level']} {info['category']}"
           f" · {'基层医疗机构' if info['is_primary'] else '非基层'} · 统计截止日 {marts.current_as_of(s)}")
red = card["red"]
now = red[red["step"].notna()]
if len(now):
    step = int(now.iloc[-1]["step"])
    st.error(f"红旗机构 · 得分 {now.iloc[-1]['score']:.0f} · 建议措施：{ladder.STEPS[step][0]}")

st.subheader("七项指标")
show(card["indicators"], {"indicator": "指标", "numerator": "分子", "denominator": "分母", "value": "数值",
                          "count_flagged": "预警"}, "in_ind", f"指标_{code}")
st.subheader("预警（实际值与阈值、通知条款）")
if card["flags"].empty:
    st.success("该机构没有预警。")
else:
    show(card["flags"], {"flag_name": "预警事项", "severity_zh": "等级", "detail_code": "涉及产品/品种/订单",
                         "value": "实际值", "threshold": "阈值", "clause": "通知条款"}, "in_flags", f"预警_{code}")
st.plotly_chart(charts.trend(card["monthly"], {"delivery_rate": "配送率", "selected_share": "中选产品占比"}, "月度趋势"),
                key="in_trend")
st.subheader("约定采购量")
show(card["agreements"], {"product_code": "产品编码", "generic_name": "通用名", "dosage_form": "剂型", "reported_qty": "报量",
                          "prior_year_qty": "上年实际", "agreed_qty": "约定量", "purchased_qty": "已采购",
                          "completion": "完成率", "delivery_rate": "配送率"}, "in_agr", f"约定采购量_{code}")
st.subheader("反馈的诉求")
show(card["complaints"], {"complaint_id": "诉求编号", "enterprise_name": "企业", "issue_type": "问题类型",
                          "raised_date": "反馈日期", "reply_date": "回复日期", "promised_date": "承诺日期",
                          "resolved_date": "解决日期"}, "in_comp", f"诉求_{code}")
st.subheader("处理记录")
show(card["actions"], {"action_date": "日期", "status": "状态", "note": "说明", "recorded_by": "记录人",
                       "recorded_at": "记录时间"}, "in_actions", f"处理记录_{code}")
