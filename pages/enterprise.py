"""企业档案: everything about one enterprise."""
import streamlit as st

from core import scorecard
from core.interviews import TIER_MEASURES
from ui.session import lang, routed, store
from ui.tables import show

routed("pages/enterprise.py")

s = store()
L = lang()
code = st.query_params.get("code") or st.text_input("企业编码", key="ent_code")
if not code:
    st.title("企业档案")
    st.info("请输入企业编码，或从任一列表的“档案”链接进入。")
    st.stop()
st.query_params["code"] = code
card = scorecard.enterprise_card(s, code)
if card is None:
    st.title("企业档案")
    st.warning(f"没有编码为 {code} 的企业。")
    st.stop()
info, tier = card["info"], card["tier"]
st.title(info["enterprise_name"])
st.caption(f"{info['enterprise_code']} · {info['role']}")
c1, c2, c3 = st.columns(3)
c1.metric("企业等级", tier.get("tier") or "—")
rate = tier.get("delivery_rate")
c2.metric("配送率", "—" if rate is None or rate != rate else f"{rate:.1%}")
timely = tier.get("timely_rate")
c3.metric("诉求及时解决率", "—" if timely is None or timely != timely else f"{timely:.1%}")
if tier.get("tier") in TIER_MEASURES:
    st.error(f"建议措施：{TIER_MEASURES[tier['tier']]}")
st.subheader("预警")
if card["flags"].empty:
    st.success("该企业没有预警。")
else:
    show(card["flags"], {"flag_name": "预警事项", "severity_zh": "等级", "detail_code": "涉及诉求/等级",
                         "value": "实际值", "threshold": "阈值", "clause": "通知条款"}, "en_flags", f"预警_{code}")
if not card["products"].empty:
    st.subheader("产品配送")
    show(card["products"], {"product_code": "产品编码", "generic_name": "通用名", "dosage_form": "剂型", "status": "中选状态",
                            "delivery_rate": "配送率", "ordered_qty": "采购数量", "count_institutions": "医疗机构数"},
         "en_products", f"产品_{code}")
st.subheader("收到的诉求")
show(card["complaints"], {"complaint_id": "诉求编号", "institution_name": "反馈机构", "issue_type": "问题类型",
                          "raised_date": "反馈日期", "reply_date": "回复日期", "promised_date": "承诺日期",
                          "resolved_date": "解决日期"}, "en_comp", f"诉求_{code}")
st.subheader("处理记录")
show(card["actions"], {"action_date": "日期", "status": "状态", "note": "说明", "recorded_by": "记录人",
                       "recorded_at": "记录时间"}, "en_actions", f"处理记录_{code}")
