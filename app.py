"""集采全流程监测平台: the navigation. Pages live in pages/ and read data through core."""
import streamlit as st

from core.i18n import t
from ui.session import NAV_FLAG

st.set_page_config(page_title="集采全流程监测平台", page_icon=":material/medication:", layout="wide")
st.session_state[NAV_FLAG] = True
if "lang_toggle" in st.session_state:  # the sidebar switch, as just set
    L = "en" if st.session_state["lang_toggle"] else "zh"
else:
    L = st.query_params.get("lang", st.session_state.get("lang", "zh"))

PAGES = {
    "pages/overview.py": st.Page("pages/overview.py", title=t("nav.overview", L), icon=":material/dashboard:", default=True),
    "pages/home.py": st.Page("pages/home.py", title=t("nav.data", L), icon=":material/database:"),
    "pages/map.py": st.Page("pages/map.py", title=t("nav.map", L), icon=":material/map:"),
    "pages/supply.py": st.Page("pages/supply.py", title=t("nav.supply", L), icon=":material/local_shipping:"),
    "pages/procurement.py": st.Page("pages/procurement.py", title=t("nav.procurement", L), icon=":material/shopping_cart:"),
    "pages/complaints.py": st.Page("pages/complaints.py", title=t("nav.complaints", L), icon=":material/support_agent:"),
    "pages/institution.py": st.Page("pages/institution.py", title=t("nav.institution", L), icon=":material/local_hospital:"),
    "pages/enterprise.py": st.Page("pages/enterprise.py", title=t("nav.enterprise", L), icon=":material/factory:"),
    "pages/interviews.py": st.Page("pages/interviews.py", title=t("nav.interviews", L), icon=":material/assignment:"),
    "pages/upload.py": st.Page("pages/upload.py", title=t("nav.upload", L), icon=":material/upload_file:"),
    "pages/settings.py": st.Page("pages/settings.py", title=t("nav.settings", L), icon=":material/settings:"),
}
current = st.navigation(list(PAGES.values()))
goto = st.query_params.get("goto")
if goto in PAGES:  # a link that arrived through the legacy pages/ folder: open the page it named
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "goto"}
    st.switch_page(PAGES[goto], query_params=params)
current.run()
