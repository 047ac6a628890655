"""The app's shared state: the store, opened once per process, and the first-start demo load."""
from __future__ import annotations

import streamlit as st

from core import demo
from core.store import Store, open_store


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    return open_store()


def store() -> Store:
    """The store, filled with the demo province on the first start of an empty store."""
    s = _store()
    if s.is_empty() and s.meta("demo_as_of") is None:
        bar = st.progress(0.0, text="首次启动：正在生成演示数据…")
        demo.load(s, progress=lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=f"首次启动：{m}"))
        bar.empty()
    return s
