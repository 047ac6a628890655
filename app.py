"""集采全流程监测平台: the navigation. Pages live in pages/ and read data through core."""
import streamlit as st

from ui.session import NAV_FLAG

st.set_page_config(page_title="集采全流程监测平台", page_icon=":material/medication:", layout="wide")
st.session_state[NAV_FLAG] = True

PAGES = {
    "pages/overview.py": st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    "pages/home.py": st.Page("pages/home.py", title="数据概况", icon=":material/database:"),
    "pages/map.py": st.Page("pages/map.py", title="地图", icon=":material/map:"),
    "pages/supply.py": st.Page("pages/supply.py", title="供应监测", icon=":material/local_shipping:"),
    "pages/procurement.py": st.Page("pages/procurement.py", title="采购监测", icon=":material/shopping_cart:"),
    "pages/complaints.py": st.Page("pages/complaints.py", title="诉求", icon=":material/support_agent:"),
    "pages/institution.py": st.Page("pages/institution.py", title="机构档案", icon=":material/local_hospital:"),
    "pages/enterprise.py": st.Page("pages/enterprise.py", title="企业档案", icon=":material/factory:"),
    "pages/interviews.py": st.Page("pages/interviews.py", title="约谈名单", icon=":material/assignment:"),
    "pages/settings.py": st.Page("pages/settings.py", title="设置", icon=":material/settings:"),
}
current = st.navigation(list(PAGES.values()))
goto = st.query_params.get("goto")
if goto in PAGES:  # a link that arrived through the legacy pages/ folder: open the page it named
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "goto"}
    st.switch_page(PAGES[goto], query_params=params)
current.run()
