"""Casework on a page: a table of cases whose rows an officer ticks, and the form that records an action on them (the
interview list and the 案件处理 page share both). Recording goes through core.access.actions, which checks the
status, dates and jurisdiction; a refusal shows its reason, never a traceback."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.access import actions
from core.access.roles import AccessDenied
from core.policy import cases, clock
from core.present.i18n import t, tn, vocabulary
from core.read import cases as cases_reader
from core.refresh import worker as refresh_worker
from ui import text
from ui.tables import height, more, shown, table_download


def selectable(frame: pd.DataFrame, headers: dict[str, str], key: str, L: str, title: str,
               helps: dict[str, str] | None = None) -> list[int]:
    """The table, its rows tickable, with its download; returns the ticked rows' positions."""
    data, config = shown(frame, headers, L, helps=helps)
    event = st.dataframe(data, hide_index=True, width="stretch", on_select="rerun", key=key, column_config=config,
                         selection_mode="multi-row", placeholder="—", height=height(len(data)))
    more(len(data), L)
    table_download(frame, headers, key, title)
    return [r for r in (event.selection.rows if event is not None else []) if 0 <= r < len(frame)]


def statuses_for(kinds: list[str]) -> list[str]:
    """The statuses every kind of the chosen cases takes (all of one kind's when the rows are of one kind)."""
    return [s for s in cases.KINDS[kinds[0]].statuses if all(s in cases.KINDS[k].statuses for k in kinds)]


def table_key(prefix: str, view) -> str:
    """A table's key that changes with what it shows (the stored view and the area): ticks made on one list never
    carry over, by position, to the rows of another."""
    return f"{prefix}_{view.view_id}_{view.area}"


def record_form(view, chosen: dict[str, list], names: list[str], L: str, prefix: str) -> None:
    """The form recording one action on every chosen case (kind -> case keys; `names` say which they are), its
    widgets keyed `prefix`_status, _date, _deadline, _note; after saving, the page runs again with a message under
    `prefix`_flash (flash())."""
    key = f"{prefix}_action"
    kinds = [k for k, keys in chosen.items() if keys]
    if not kinds:
        return
    n = sum(len(chosen[k]) for k in kinds)
    today = clock.today()
    with st.form(key):
        st.markdown(f"**{tn('iv.record', L, n=n)}**")
        shown_names = "、".join(names[:5]) + ("等" if len(names) > 5 and L == "zh" else " …" if len(names) > 5 else "")
        st.caption(text.plain(t("case.chosen", L).format(names=shown_names)))
        c1, c2, c3 = st.columns(3)
        status = c1.selectbox(t("iv.status", L), statuses_for(kinds), key=f"{prefix}_status",
                              format_func=lambda s: vocabulary(s, L))
        when = c2.date_input(t("iv.date", L), value=today, max_value=today, key=f"{prefix}_date", format="YYYY-MM-DD",
                             help=t("iv.date_help", L).format(as_of=view.as_of))
        deadline = c3.date_input(t("case.deadline", L), value=None, key=f"{prefix}_deadline", format="YYYY-MM-DD",
                                 help=t("case.deadline_help", L))
        explained = any(cases.EXPLAINED in cases.KINDS[k].statuses for k in kinds)  # an institution's explanation
        note = st.text_area(t("case.note" if explained else "case.note_plain", L), key=f"{prefix}_note",
                            max_chars=actions.NOTE_MAX,
                            help=t("case.note_help", L))
        if st.form_submit_button(t("iv.save", L)):
            try:
                with refresh_worker.ahead(view.store, "actions") as recompute:  # figures not in the server
                    written = actions.record_actions(view, {k: chosen[k] for k in kinds}, status, note, when,
                                                     deadline, recompute=recompute)
            except (ValueError, AccessDenied) as err:
                st.error(text.plain(str(err)))
                return
            st.session_state[f"{prefix}_flash"] = tn("iv.saved", L, n=written)
            del st.session_state[f"{prefix}_note"]  # a saved note does not stay in the form for the next rows
            st.rerun()  # the list with its new state


def flash(prefix: str) -> None:
    """The message of the last save, once."""
    if f"{prefix}_flash" in st.session_state:
        st.success(st.session_state.pop(f"{prefix}_flash"))


def withdraw_box(view, L: str, prefix: str) -> None:
    """An officer's way back from a record made by mistake: their own records of the last 30 days, one withdrawn
    with a reason (it stays in the history, marked)."""
    with st.expander(t("case.withdraw", L)):
        mine = cases_reader.own_records(view, L)
        if mine.empty:
            st.caption(t("case.withdraw_none", L))
            return
        labels = dict(zip(mine["action_id"], mine["label"]))
        with st.form(f"{prefix}_withdraw"):
            chosen = st.selectbox(t("case.withdraw_pick", L), list(labels), format_func=lambda i: labels[i],
                                  key=f"{prefix}_withdraw_id")
            reason = st.text_input(t("case.withdraw_reason", L), key=f"{prefix}_withdraw_reason", max_chars=200)
            if st.form_submit_button(t("case.withdraw_button", L)):
                try:
                    with refresh_worker.ahead(view.store, "withdrawal") as recompute:
                        actions.withdraw(view, int(chosen), reason, recompute=recompute)
                except (ValueError, AccessDenied) as err:
                    st.error(text.plain(str(err)))
                    return
                st.session_state[f"{prefix}_flash"] = t("case.withdrawn_ok", L)
                st.rerun()
