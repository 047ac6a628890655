"""设置: the thresholds in force and their policy source."""
import streamlit as st

from core import marts, settings_view
from core.i18n import t
from ui.session import start
from ui.tables import show

s, L = start("pages/settings.py", "set.title", needs_marts=False)
st.caption(t("set.caption", L))
for note in settings_view.calendar_notes(settings_view.years_in_view(marts.current_as_of(s))):
    st.info(note)
show(settings_view.settings_in_force(s),
     {"name": t("set.name", L), "value": t("set.value", L), "default": t("set.default", L), "changed": t("set.changed", L),
      "help_zh" if L == "zh" else "help_en": t("set.help", L), "source": t("set.source", L)}, "set_table", t("set.title", L))
