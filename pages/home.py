"""首页: what the store holds, by city, and a map of the province's cities."""
import streamlit as st

from core import maps, marts, overview, regions
from ui.session import routed, store

routed("pages/home.py")

s = store()
st.title("集采全流程监测平台")
as_of = marts.current_as_of(s)
st.caption("药品和医用耗材集中带量采购全流程监测 · 依据鲁医保发〔2023〕14号"
           + (f" · 统计截止日 {as_of:%Y-%m-%d}" if as_of else ""))

totals = overview.totals(s)
cols = st.columns(4)
cols[0].metric("医疗机构", f"{totals['institutions']:,}")
cols[1].metric("企业", f"{totals['enterprises']:,}")
cols[2].metric("约定采购量协议", f"{totals['agreements']:,}")
cols[3].metric("采购订单", f"{totals['orders']:,}")

by_city = overview.counts_by_city(s)
left, right = st.columns([3, 2])
with left:
    st.subheader("各市医疗机构分布")
    deck = maps.choropleth(overview.city_features(s, by_city, "count_institutions"),
                           regions.bounds(s.province_code, s.province_code), layer_id="cities",
                           tooltip="{name}：{value} 家医疗机构")
    st.pydeck_chart(deck, key="home_map", height=520)
with right:
    st.subheader("各市数据概况")
    table = by_city.rename(columns={"city_code": "代码", "city_name": "城市", "count_counties": "县区数",
                                    "count_institutions": "医疗机构", "count_primary": "其中基层",
                                    "count_orders": "订单数", "order_qty": "采购数量"})
    st.dataframe(table.drop(columns=["采购数量"]), hide_index=True, width="stretch")
