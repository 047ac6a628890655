"""The app's shared state: the store, opened once per process, and the first-start demo load."""
from __future__ import annotations

from pathlib import Path

import logging

import streamlit as st

from core import demo
from core.present.i18n import t
from core.store import db
from core.store.opening import open_store, Store, StoreBusy

LOG = logging.getLogger("vbp")


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return open_store()


def store() -> Store:
    """The store, filled with the demo province on the first start of an empty embedded store (a server
    store gets its data by import, or by `python -m core demo` when wanted). A store that cannot be reached or
    opened stops the page with what to do (no error's details, no host or password): the next click tries again."""
    try:
        s = _store()
    except db.Unavailable as err:
        LOG.error("the store cannot be used: %s", err)
        st.error(t("app.unavailable", language_of_run()))
        st.stop()
    if not s.is_postgres and s.is_empty() and s.meta("demo_as_of") is None:
        bar = st.progress(0.0, text="首次启动：正在生成演示数据…")
        try:
            demo.load(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"首次启动：{m}"))
        except demo.StoreNotEmpty:  # another first start, or an import, wrote first: this session reads theirs
            pass
        except StoreBusy as busy:  # a long write holds the store: said, and the next click tries again
            bar.empty()
            st.warning(str(busy))
            st.stop()
        bar.empty()
    return s


def language() -> str:
    """The interface language of this run: a ?lang= in the address when it names another language than the session's
    (a link), else the session's choice (the sidebar switch), else Chinese. The switch is set to match."""
    asked = st.query_params.get("lang")
    held = st.session_state.get("lang")
    chosen = asked if asked in ("zh", "en") and asked != held else (held or "zh")
    st.session_state["lang"] = chosen
    st.session_state["lang_toggle"] = chosen == "en"  # the switch shows the language in force
    return chosen


def language_of_run() -> str:
    """The interface language `language` chose for this run (for what a page draws after its start)."""
    return st.session_state.get("lang", "zh")


def _switched() -> None:
    """The sidebar switch: the session's language, kept in the address when English."""
    chosen = "en" if st.session_state["lang_toggle"] else "zh"
    st.session_state["lang"] = chosen
    if chosen == "en":
        st.query_params["lang"] = "en"
    elif "lang" in st.query_params:
        del st.query_params["lang"]


def lang() -> str:
    """The language switch in the sidebar; returns the interface language."""
    st.sidebar.toggle("English", key="lang_toggle", on_change=_switched)
    chosen = st.session_state["lang"]
    if chosen == "en":
        st.query_params["lang"] = "en"
    return chosen


PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


def page_file(page_id: str) -> str:
    """The file of a page (its id is its address: overview, map, institution, ...)."""
    return str(PAGES_DIR / f"{page_id}.py")


USER = "_vbp_user"


def user():
    """The signed-in user of this run (set by ui/main.py before the page runs)."""
    return st.session_state[USER]


def store_of_run() -> Store:
    """The store, once `start` has opened it."""
    return _store()


def start(page_file: str, title: str | None = None, needs_marts: bool = True):
    """The opening of every page: the store, the language, a check that the user signed in for this run (by
    ui/main.py) may open the page, the title, and figures current for the store's data (recomputed, with
    progress, when the data changed), or a stop with the reason when there are none. Returns (store, language)."""
    from pathlib import Path

    from core.refresh import marts

    from core.store import views
    from core.present.i18n import t
    s = store()
    L = lang()
    signed_in = st.session_state.get(USER)
    if signed_in is None or Path(page_file).stem not in signed_in.pages:
        st.warning(t("auth.denied", L))
        st.stop()
    if title:
        st.title(t(title, L))
    if needs_marts and views.default_view(s) is None:
        if s.is_empty():
            st.info(t("empty.no_marts", L))
            st.stop()
        bar = st.progress(0.0, text=t("flt.computing", L))
        marts.ensure_default(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0),
                                                                   text=f"{t('flt.computing', L)} {m}"))
        bar.empty()
    return s, L


def viewed(page_file: str, title: str | None = None, with_area: bool = True):
    """`start`, then the sidebar filters within the user's scope: returns (view, language)."""
    from ui import filters
    s, L = start(page_file, title)
    return filters.view(s, L, user(), with_area), L
