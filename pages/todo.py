"""待办事项: what waits for the signed-in user in their scope, kind by kind, each kind with the page that deals with
it; an item goes once it is dealt with (core.read.todo reads it all live)."""
import streamlit as st

from core.access import accounts, scope
from core.policy import clock
from core.present.i18n import paren, t, tn
from core.read import todo
from ui import text
from ui.session import page_file, start, user
from ui.tables import show

store, L = start("pages/todo.py", "todo.title")
me = user()
view = scope.resolve(store, me, {}, with_area=False).view
since = None if me.is_entity else accounts.previous_sign_in(store, me.username)
found = todo.items(view, L, since)
# an entity's own list: its enterprise's or institution's name (the account's display name said "演示·医疗机构")
st.caption(text.plain(tn("todo.caption", L, n=todo.matters(found), area=view.area_name if not me.is_entity else
                         accounts.entity_name(store, me) or me.display_name,
                         at=str(clock.now())[:16], as_of=view.as_of)))
if not me.is_entity:
    st.caption(t("todo.since", L).format(at=str(since)[:16]) if since is not None else t("todo.since_first", L))
if found.empty:
    st.success(t("todo.none", L))
columns = {"subject": t("todo.col.subject", L), "where": t("todo.col.where", L), "detail": t("todo.col.detail", L),
           "due": t("todo.col.due", L), "left": t("todo.col.left", L)}
for item in todo.ITEMS:
    rows = found[found["item"] == item]
    if rows.empty:
        continue
    with st.container(border=True):
        head, go = st.columns([4, 1])
        head.markdown(f"**{t(f'todo.item.{item}', L)}**{paren(len(rows), L)}")
        target = rows["page"].iloc[0]
        params = rows["params"].iloc[0] if len(rows) == 1 else {}
        if target in me.pages:  # a role that records nothing (leadership, analysts) goes to look, not to handle
            acts = me.is_entity or me.can("record") or (item == "notice_draft" and me.can("issue"))
            go.page_link(page_file(target), label=t("todo.open" if acts else "todo.look", L),
                         icon=":material/arrow_forward:", query_params=params or None)
        shown = rows if rows["due"].notna().any() or rows["left"].astype(bool).any() else rows.drop(columns=["due", "left"])
        if me.is_entity or not shown["where"].astype(bool).any():  # an entity's own items: no place to name
            shown = shown.drop(columns="where")
        show(shown, {c: label for c, label in columns.items() if c in shown.columns}, f"todo_{item}",
             f"{t(f'todo.item.{item}', L)}")
