"""集采全流程监测平台: sign-in, then the navigation of the user's role. Pages live in pages/ and read
data through core."""
import streamlit as st

from core.i18n import t
from ui import auth, session
from ui.session import NAV_FLAG

st.set_page_config(page_title="集采全流程监测平台", page_icon=":material/medication:", layout="wide")
st.session_state[NAV_FLAG] = True
if "lang_toggle" in st.session_state:  # the sidebar switch, as just set
    L = "en" if st.session_state["lang_toggle"] else "zh"
else:
    L = st.query_params.get("lang", st.session_state.get("lang", "zh"))

PAGES = {  # page id: (file, title, icon)
    "overview": ("pages/overview.py", "nav.overview", ":material/dashboard:"),
    "home": ("pages/home.py", "nav.data", ":material/database:"),
    "map": ("pages/map.py", "nav.map", ":material/map:"),
    "supply": ("pages/supply.py", "nav.supply", ":material/local_shipping:"),
    "procurement": ("pages/procurement.py", "nav.procurement", ":material/shopping_cart:"),
    "complaints": ("pages/complaints.py", "nav.complaints", ":material/support_agent:"),
    "institution": ("pages/institution.py", "nav.institution", ":material/local_hospital:"),
    "enterprise": ("pages/enterprise.py", "nav.enterprise", ":material/factory:"),
    "interviews": ("pages/interviews.py", "nav.interviews", ":material/assignment:"),
    "upload": ("pages/upload.py", "nav.upload", ":material/upload_file:"),
    "admin": ("pages/admin.py", "nav.admin", ":material/manage_accounts:"),
    "audit": ("pages/audit.py", "nav.audit", ":material/policy:"),
    "settings": ("pages/settings.py", "nav.settings", ":material/settings:"),
}

store = session.store()
user = auth.current(store, L)
if user is None:  # every page's address shows the login page, which then opens the page asked for
    st.navigation([st.Page(lambda: auth.login_page(store, L), title=t("auth.title", L), icon=":material/login:",
                           url_path=pid, default=i == 0) for i, pid in enumerate(PAGES)], position="hidden").run()
    st.stop()

allowed = {pid: st.Page(PAGES[pid][0], title=t(PAGES[pid][1], L), icon=PAGES[pid][2], default=i == 0)
           for i, pid in enumerate(user.pages)}
current = st.navigation(list(allowed.values()))
goto = st.query_params.get("goto")
by_file = {PAGES[pid][0]: page for pid, page in allowed.items()}
if goto in by_file:  # a link that arrived through the legacy pages/ folder: open the page it named
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "goto"}
    st.switch_page(by_file[goto], query_params=params)
auth.sidebar(store, user, L)
current.run()
