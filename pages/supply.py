"""供应监测: delivery rates by product, supplier tiers with their evidence, primary against other institutions."""
import streamlit as st

from core import charts, marts, monitoring
from ui.filters import area_picker
from ui.session import lang, routed, store
from ui.tables import show

routed("pages/supply.py")

s = store()
L = lang()
st.title("供应监测" if L == "zh" else "Supply")
if marts.current_as_of(s) is None:
    st.info("汇总表尚未生成：请先导入数据或载入演示数据。")
    st.stop()
area, area_name = area_picker(s, L)
warn = s.settings()["delivery_rate_warning"]

tab_product, tab_tier, tab_primary = st.tabs(["按产品", "企业分级", "基层与非基层"])
with tab_product:
    products = monitoring.delivery_by_product(s, area)
    st.plotly_chart(charts.ranked(products.head(15).assign(label=products["generic_name"] + " " + products["product_code"]),
                                  "delivery_rate", "label", f"{area_name} 配送率最低的产品", warn), key="sp_chart")
    show(products, {"product_code": "产品编码", "generic_name": "通用名", "dosage_form": "剂型", "specification": "规格",
                    "manufacturer": "中选企业", "delivery_rate": "配送率", "delivered_qty": "配送数量",
                    "ordered_qty": "采购数量", "count_institutions": "医疗机构数"}, "sp_products", f"产品配送率_{area_name}")
with tab_tier:
    tiers = monitoring.enterprise_tiers(s)
    st.caption("分级取配送率与诉求及时解决率两者中较差的一级（A ≥ 80%，B 60%–80%，C 30%–60%，D < 30%）。")
    show(tiers, {"enterprise_code": "企业编码", "enterprise_name": "企业名称", "role": "类型", "tier": "等级",
                 "delivery_tier": "配送率等级", "delivery_rate": "配送率", "complaint_tier": "诉求等级",
                 "timely_rate": "及时解决率", "count_complaints": "诉求数"}, "sp_tiers", "企业分级",
         link=("enterprise_code", "enterprise"))
with tab_primary:
    balance = monitoring.primary_balance(s, area)
    st.caption("基层与非基层医疗机构配送率相差10个百分点以上，或基层低于80%而非基层达标，即标记为基层供应不平衡。")
    show(balance, {"region_code": "代码", "region_name": "区域", "primary_rate": "基层配送率", "others_rate": "非基层配送率",
                   "gap_points": "差距（百分点）", "is_flagged": "不平衡"}, "sp_primary", f"基层供应_{area_name}")
