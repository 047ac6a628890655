"""设置: the thresholds in force and their policy source; an administrator may change them."""
import streamlit as st


from core.access import settings_change
from core.present.i18n import t
from core.store import views
from ui import text
from ui.session import start, user
from ui.tables import show

s, L = start("pages/settings.py", "set.title", needs_marts=False)
st.caption(t("set.caption", L))
for note in settings_change.calendar_notes(settings_change.years_in_view(views.current_as_of(s))):
    st.info(note)
table = settings_change.settings_in_force(s, L)
show(table, {"help_zh" if L == "zh" else "help_en": t("set.help", L), "name": t("set.name", L),
             "value": t("set.value", L), "default": t("set.default", L), "changed": t("set.changed", L),
             "source": t("set.source", L)}, "set_table", t("set.title", L))

me = user()
if me.can("settings"):
    for problem in settings_change.stored_problems(s):  # a stored value no page could use: the default is in force
        st.warning(text.plain(problem))
    with st.form("set_change"):
        st.subheader(t("set.change", L))
        names = [n for n in table["name"] if n not in settings_change.FIXED]
        name = st.selectbox(t("set.help", L), names, key="set_name",
                            format_func=lambda n: f"{table.set_index('name').loc[n, 'help_zh' if L == 'zh' else 'help_en']}（{n}）")
        value = st.text_input(t("set.new_value", L), key="set_value")
        if st.form_submit_button(t("set.save", L)):
            try:
                settings_change.change(s, me, name, value)
                st.session_state["set_flash"] = t("set.saved", L).format(name=name, value=text.plain(value))
                st.rerun()
            except ValueError as err:
                st.error(text.plain(str(err)))
if "set_flash" in st.session_state:
    st.success(st.session_state.pop("set_flash"))
