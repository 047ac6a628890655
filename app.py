"""集采全流程监测平台: the navigation. Pages live in pages/ and read data through core."""
import streamlit as st

st.set_page_config(page_title="集采全流程监测平台", page_icon="💊", layout="wide")

pages = [
    st.Page("pages/home.py", title="首页", icon="🏠", default=True),
    st.Page("pages/settings.py", title="设置", icon="⚙️"),
]
st.navigation(pages).run()
