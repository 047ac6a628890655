"""集采全流程监测平台 · the web server: `streamlit run app.py` serves ui/main.py (sign-in, then the pages of the
user's role) with the server's own routes (the sign-in cookie, ui/server.py) and its handler of unexpected
errors (a message with a reference for the user; the details in the server's log)."""
import streamlit as st

from ui import server

app = st.App("ui/main.py", routes=server.routes(), on_script_error=server.on_script_error)
