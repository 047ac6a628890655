"""The script the server runs for every browser tab: sign-in, then the navigation of the user's role. Pages
live in pages/ and read data through core; `streamlit run app.py` serves this script (app.py adds the server's
own routes)."""
from pathlib import Path

import streamlit as st

from core.present.i18n import t
from ui import auth, session

st.set_page_config(page_title="集采全流程监测平台", page_icon=str(Path(__file__).with_name("icon.png")), layout="wide")
L = session.language()

PAGES = {  # page id (its address): (title, icon)
    "todo": ("nav.todo", ":material/checklist:"),
    "overview": ("nav.overview", ":material/dashboard:"), "home": ("nav.data", ":material/database:"),
    "map": ("nav.map", ":material/map:"), "supply": ("nav.supply", ":material/local_shipping:"),
    "procurement": ("nav.procurement", ":material/shopping_cart:"),
    "complaints": ("nav.complaints", ":material/support_agent:"),
    "institution": ("nav.institution", ":material/local_hospital:"),
    "enterprise": ("nav.enterprise", ":material/factory:"), "interviews": ("nav.interviews", ":material/assignment:"),
    "cases": ("nav.cases", ":material/gavel:"), "notice": ("nav.notice", ":material/campaign:"),
    "ent_supply": ("nav.ent_supply", ":material/local_shipping:"), "inst_self": ("nav.inst_self", ":material/fact_check:"),
    "desk": ("nav.desk", ":material/forum:"),
    "upload": ("nav.upload", ":material/upload_file:"), "admin": ("nav.admin", ":material/manage_accounts:"),
    "audit": ("nav.audit", ":material/policy:"), "settings": ("nav.settings", ":material/settings:"),
}

store = session.store()
user = auth.current(store, L)
st.session_state.pop(session.USER, None)
if user is None:  # every address shows the login page; after signing in, the same address opens its page
    def login() -> None:
        auth.login_page(store, L)
    pages = [st.Page(login, title=t("auth.title", L), url_path=pid) for pid in PAGES]
    st.navigation([st.Page(login, title=t("auth.title", L), default=True), *pages], position="hidden").run()
    st.stop()

st.session_state[session.USER] = user
if user.must_change_password:  # an initial password: nothing but changing it
    def change() -> None:
        auth.change_password_page(store, user, L)
    st.navigation([st.Page(change, title=t("auth.change_title", L), default=True)], position="hidden").run()
    auth.sidebar(store, user, L)
    st.stop()
allowed = {pid: st.Page(session.page_file(pid), title=t(PAGES[pid][0], L), icon=PAGES[pid][1], url_path=pid)
           for pid in user.pages}
# The other pages are registered too, out of the menu: their address says in the user's language that the role may
# not open them (ui.session.start), instead of Streamlit's English "page not found".
others = [st.Page(session.page_file(pid), title=t(PAGES[pid][0], L), url_path=pid, visibility="hidden")
          for pid in PAGES if pid not in allowed]


def landing() -> None:
    """The bare address: the first page of the role, with whatever the address carried."""
    st.switch_page(allowed[user.pages[0]], query_params=st.query_params.to_dict())


SECTIONS = {"work": ("todo", "desk", "ent_supply", "inst_self"),  # the menu in groups: what waits, what is watched,
            "watch": ("overview", "home", "map", "supply", "procurement", "complaints", "institution", "enterprise"),
            "act": ("interviews", "cases", "notice"), "system": ("upload", "admin", "audit", "settings")}  # what is done
menu: dict[str, list] = {}
for key, ids in SECTIONS.items():
    pages_here = [allowed[pid] for pid in user.pages if pid in ids]
    if pages_here:
        menu[t(f"nav.sec.{key}", L)] = pages_here
last = list(menu)[-1]
menu[last] = [*menu[last], *others,  # out of the menu: the bare address, the pages of other roles
              st.Page(landing, title=t(PAGES[user.pages[0]][0], L), default=True, visibility="hidden")]
current = st.navigation(menu, expanded=True)
auth.sidebar(store, user, L)
current.run()
