"""The app's shared state: the store, opened once per process, and the first-start demo load."""
from __future__ import annotations

import streamlit as st

from core import demo
from core.store import Store, open_store


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return open_store()


def store() -> Store:
    """The store, filled with the demo province on the first start of an empty embedded store (a server
    store gets its data by import, or by `python -m core demo` when wanted)."""
    s = _store()
    if not s.is_postgres and s.is_empty() and s.meta("demo_as_of") is None:
        bar = st.progress(0.0, text="首次启动：正在生成演示数据…")
        demo.load(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"首次启动：{m}"))
        bar.empty()
    return s


def lang() -> str:
    """The interface language: Chinese unless the URL says ?lang=en; a sidebar switch flips it."""
    current = st.query_params.get("lang", st.session_state.get("lang", "zh"))
    current = current if current in ("zh", "en") else "zh"
    chosen = "en" if st.sidebar.toggle("English", value=current == "en", key="lang_toggle") else "zh"
    st.session_state["lang"] = chosen
    if chosen == "en":
        st.query_params["lang"] = "en"
    elif "lang" in st.query_params:
        del st.query_params["lang"]
    return chosen


NAV_FLAG = "_vbp_nav"


def routed(page_file: str) -> None:
    """Call first in every page. A page opened straight through Streamlit's legacy pages/ folder
    (a shared link on a freshly started server) is sent through app.py's navigation, keeping its
    query parameters, so the link still shows the view it names."""
    if st.session_state.get(NAV_FLAG):
        return
    params = st.query_params.to_dict()
    params["goto"] = page_file
    st.switch_page("app.py", query_params=params)


USER = "_vbp_user"


def user():
    """The signed-in user of this run (set by `start`)."""
    return st.session_state[USER]


def store_of_run() -> Store:
    """The store, once `start` has opened it."""
    return _store()


def start(page_file: str, title: str | None = None, needs_marts: bool = True):
    """The opening of every page: route through the navigation, open the store, choose the language,
    check the signed-in user may open the page, show the title, and make sure the figures are current
    (recomputing them, with progress, when the data changed) or stop with a reason when there are none.
    Returns (store, language)."""
    from pathlib import Path

    from core import marts
    from core.i18n import t
    from ui import auth
    routed(page_file)
    s = store()
    L = lang()
    signed_in = auth.current(s, L)
    if signed_in is None:  # a page asked for after the session ended: sign in first
        auth.login_page(s, L)
        st.stop()
    if Path(page_file).stem not in signed_in.pages:
        st.warning(t("auth.denied", L))
        st.stop()
    st.session_state[USER] = signed_in
    if title:
        st.title(t(title, L))
    if needs_marts and marts.default_view(s) is None:
        if s.is_empty():
            st.info(t("empty.no_marts", L))
            st.stop()
        bar = st.progress(0.0, text=t("flt.computing", L))
        marts.refresh(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"{t('flt.computing', L)} {m}"))
        bar.empty()
    return s, L


def viewed(page_file: str, title: str | None = None, with_area: bool = True):
    """`start`, then the sidebar filters within the user's scope: returns (view, language)."""
    from ui import filters
    s, L = start(page_file, title)
    return filters.view(s, L, user().scope, with_area), L
