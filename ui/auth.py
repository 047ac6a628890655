"""Signing in and out in the browser session: the login page, the session timeout, single sign-on
when the bureau configures it, and the signed-in user for the pages."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from core import accounts, audit
from core.i18n import t

AUTH = "auth"  # session_state: {"username": ..., "last_seen": datetime}
FLASH = "auth_flash"


def _now() -> dt.datetime:
    return dt.datetime.now()


def sign_in(user: accounts.User) -> None:
    st.session_state[AUTH] = {"username": user.username, "last_seen": _now()}


def sign_out(store, user: accounts.User | None, action: str = "logout", message: str | None = None) -> None:
    """End the session: forget everything it held (filters, tables, the user)."""
    if user is not None:
        audit.record(store, user, action)
    st.session_state.clear()
    if message:
        st.session_state[FLASH] = message


def current(store, L: str = "zh") -> accounts.User | None:
    """The signed-in user, when the session is live and the account may still be used."""
    held = st.session_state.get(AUTH)
    if not held:
        return None
    user = accounts.load(store, held["username"])
    minutes = int(store.settings()["session_timeout_minutes"])
    if user is not None and _now() - held["last_seen"] > dt.timedelta(minutes=minutes):
        sign_out(store, user, "session_expired", t("auth.expired", L).format(minutes=minutes))
        return None
    if user is None:
        sign_out(store, None, message=t("auth.gone", L))
        return None
    held["last_seen"] = _now()
    return user


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file: no single sign-on
        return False


def login_page(store, L: str) -> None:
    """The only page before signing in."""
    st.title(t("app.title", L))
    if FLASH in st.session_state:
        st.warning(st.session_state.pop(FLASH))
    if _sso_configured():
        identity = getattr(st, "user", None)
        if identity is not None and identity.get("is_logged_in"):
            subject = identity.get("email") or identity.get("sub")
            try:
                sign_in(accounts.sso_user(store, subject))
                st.rerun()
            except accounts.LoginFailed as err:
                st.error(str(err))
                st.button(t("auth.sso_out", L), on_click=st.logout, key="sso_logout")
                return
        st.button(t("auth.sso", L), on_click=st.login, key="sso_login", type="primary")
    with st.form("login"):
        st.subheader(t("auth.title", L))
        username = st.text_input(t("auth.username", L), key="login_user")
        password = st.text_input(t("auth.password", L), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.submit", L), type="primary")
    if submitted:
        try:
            sign_in(accounts.authenticate(store, username.strip(), password))
            st.rerun()
        except accounts.LoginFailed as err:
            st.error(str(err))
    demo = store.read("SELECT username, role, area_code FROM users WHERE is_demo = :t ORDER BY username", {"t": True})
    if len(demo) and not accounts.demo_closed(store):
        from core.demo import DEMO_PASSWORD
        names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
        st.info(t("auth.demo", L).format(password=DEMO_PASSWORD) + "\n\n" + "\n".join(
            f"- `{r.username}`：{accounts.ROLES[r.role].name(L)}"
            + (f"（{names.get(r.area_code, r.area_code)}）" if isinstance(r.area_code, str) else "")
            for r in demo.itertuples()))
    elif store.read("SELECT COUNT(*) AS n FROM users")["n"].iloc[0] == 0:
        st.warning(t("auth.no_accounts", L))


def sidebar(store, user: accounts.User, L: str) -> None:
    """Who is signed in, and the way out."""
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    role = accounts.ROLES[user.role]
    st.sidebar.caption(t("auth.who", L).format(name=user.display_name, role=role.zh if L == "zh" else role.en,
                                               area=names.get(user.scope, user.scope)))
    if st.sidebar.button(t("auth.logout", L), key="logout"):
        sign_out(store, user, message=t("auth.bye", L))
        st.rerun()
