"""设置: the thresholds in force and their policy source."""
import streamlit as st

from core import marts, settings_view
from ui.session import routed, store

routed("pages/settings.py")

s = store()
st.title("设置 · 阈值与政策依据")
st.caption("默认值均取自《关于加强药品和医用耗材集中带量采购全流程管理的通知》（鲁医保发〔2023〕14号）。")
for note in settings_view.calendar_notes(settings_view.years_in_view(marts.current_as_of(s))):
    st.info(note)
table = settings_view.settings_in_force(s).rename(columns={
    "name": "参数", "value": "当前值", "default": "默认值", "changed": "已修改", "help_zh": "说明", "help_en": "Meaning",
    "source": "政策依据"})
st.dataframe(table, hide_index=True, width="stretch")
