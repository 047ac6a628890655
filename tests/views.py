"""Test helpers: the default view of a store, and reads of its mart rows."""
from __future__ import annotations

import pandas as pd


from core.store import views
from core.store.view import View


def default(store, area: str | None = None) -> View:
    """The default view (latest T, every category) of the whole province, or of an area."""
    return View.of(store, views.default_view(store), area)


def of_user(store, user, area: str | None = None) -> View:
    """The default view as a signed-in user sees it (the user's scope; `area` inside it)."""
    return View.of(store, views.default_view(store), area, user=user)


def mart(store, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A query over mart tables with :v bound to the default view."""
    return store.read(sql, {"v": views.default_view(store).view_id, **(params or {})})


def sign_in(at, username: str = "demo_leader"):
    """An AppTest session signed in as an existing account of the store the test named (VBP_DATABASE_URL), as the
    login form leaves it (the form itself is tested in test_accounts_pages.py). Returns the AppTest."""
    import os

    from core.access import sessions
    from core.store.opening import open_store
    started = sessions.start(open_store(os.environ["VBP_DATABASE_URL"]), username)
    at.session_state["auth"] = {"session_id": started.session.session_id, "username": username}
    return at


def table_key(store, prefix: str, area: str) -> str:
    """The key a page gives its tickable table (ui.casework.table_key) for the default view of an area."""
    from ui.casework import table_key as key
    return key(prefix, default(store, area))
