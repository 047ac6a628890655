"""设置: the thresholds in force and their policy source; an administrator may change them."""
import streamlit as st


from core.access import settings_change
from core.policy import settings as settings_mod
from core.refresh import worker as refresh_worker
from core.present.i18n import headers, paren, t
from core.store import views
from ui import text
from ui.session import start, user
from ui.tables import show

s, L = start("pages/settings.py", "set.title", needs_marts=False)
st.caption(t("set.caption", L))
if user().can("settings"):  # the others see it in the sidebar, without what an administrator does
    for note in settings_change.calendar_notes(settings_change.years_in_view(views.current_as_of(s)), L, admin=True):
        st.info(note)
table = settings_change.settings_in_force(s, L)
columns = {"help_zh" if L == "zh" else "help_en": t("set.help", L), "name": t("set.name", L), "value": t("set.value", L),
           "default": t("set.default", L), "changed": t("set.changed", L), "source": t("set.source", L)}
if not user().can("settings"):  # the code names serve the administrator who changes them (and the command line)
    del columns["name"]
wording = table["name"].isin(settings_change.WORDING)
show(table[~wording], columns, "set_table", t("set.title", L), helps={"source": t("set.source_help", L)})
st.markdown(f"**{t('set.wording', L)}**")
show(table[wording], columns, "set_wording", t("set.wording", L), helps={"source": t("set.source_help", L)})

me = user()
if me.can("settings"):
    for problem in settings_change.stored_problems(s):  # a stored value no page could use: the default is in force
        st.warning(text.plain(problem))
    with st.form("set_change"):
        st.subheader(t("set.change", L))
        names = [n for n in table["name"] if n not in settings_change.FIXED]
        name = st.selectbox(t("set.help", L), names, key="set_name",
                            format_func=lambda n: table.set_index("name").loc[n, "help_zh" if L == "zh" else "help_en"]
                            + paren(n, L))
        value = st.text_input(t("set.new_value", L), key="set_value")
        if st.form_submit_button(t("set.preview", L)):
            try:
                with st.spinner(t("set.previewing", L)):
                    st.session_state["set_preview"] = (settings_change.preview(s, me, name, value), value)
            except ValueError as err:
                st.session_state.pop("set_preview", None)
                st.error(text.plain(str(err)))
    held = st.session_state.get("set_preview")
    if held is not None:
        found, typed = held
        meaning = table.set_index("name").loc[found.name, "help_zh" if L == "zh" else "help_en"]
        setting = next(x for x in settings_mod.SETTINGS if x.name == found.name)
        before, after = (settings_change.shown_value(setting, v, L) for v in (found.before, found.after))
        st.subheader(t("set.effect", L).format(name=meaning, before=before, after=after))
        red_new, red_gone = found.subjects("red_flag")
        counts = found.counts(L)
        changed_cases = found.cases(L)
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.metric(t("set.count_appear", L), int(counts["appear"].sum()))
        c2.metric(t("set.count_disappear", L), int(counts["disappear"].sum()))
        def more_fewer(more: int, fewer: int) -> str:  # "+2 / -1", a zero as 0
            return f"{f'+{more}' if more else 0} / {f'-{fewer}' if fewer else 0}"

        c3.metric(t("set.red_change", L), more_fewer(len(red_new), len(red_gone)))
        c4.metric(t("set.tier_change", L), len(set().union(*found.subjects("supplier_tier"))))
        c5.metric(t("set.case_change", L), more_fewer(int((changed_cases["change"] == "appear").sum()),
                                                      int((changed_cases["change"] == "disappear").sum())))
        if counts.empty:
            st.info(t("set.no_effect", L))
        else:
            show(counts.drop(columns="flag_id"), headers(["flag_name", "appear", "disappear"], L), "set_effect",
                 t("set.effect_file", L))
            show(found.readable(L), headers(["change_text", "flag_name", "severity_zh", "subject_code", "subject_name",
                                             "detail_code", "value_text"], L), "set_changes", t("set.changes_file", L))
            if not changed_cases.empty:  # no case opens or closes: the tile says 0 / 0
                show(changed_cases, headers(["change_text", "case_name", "subject_code", "subject_name", "about"], L),
                     "set_cases", t("set.cases_file", L))
        buttons = st.container(horizontal=True, gap="small")  # side by side, each as wide as its words
        if buttons.button(t("set.save", L), type="primary", key="set_save"):
            try:
                with refresh_worker.ahead(s, f"setting {found.name}") as recompute:  # outside the server
                    settings_change.change(s, me, found.name, typed)
                    recompute()
                st.session_state["set_flash"] = t("set.saved", L).format(name=found.name, value=text.plain(typed))
            except ValueError as err:  # the settings moved meanwhile (another administrator)
                st.session_state["set_flash_error"] = str(err)
            st.session_state.pop("set_preview", None)
            st.rerun()
        if buttons.button(t("set.drop", L), key="set_drop"):
            st.session_state.pop("set_preview", None)
            st.rerun()
if "set_flash" in st.session_state:
    st.success(st.session_state.pop("set_flash"))
if "set_flash_error" in st.session_state:
    st.error(text.plain(st.session_state.pop("set_flash_error")))
