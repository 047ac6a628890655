"""Signing in and out in the browser: the login page, the session that survives a reload or a new tab (a
cookie the server sets, see core/access/sessions.py and ui/server.py), single sign-on when the bureau configures
it, and the signed-in user for the pages."""
from __future__ import annotations

import streamlit as st

from core.access import accounts, audit, roles, sessions, settings_change
from core.present.i18n import paren, t, tn

from ui import server, text

AUTH = "auth"  # session_state: {"session_id": ..., "username": ...}
HANDOFF = "auth_handoff"  # the one-time code the browser still has to exchange for its cookie
FLASH = "auth_flash"
FLASH_OK = "auth_flash_ok"  # said once on the next page: the password was changed
ENDED = {"expired": "auth.expired", "gone": "auth.gone", "disabled": "auth.gone", "password_reset": "auth.reset",
         "signed_out": "auth.ended_elsewhere"}


def sign_in(store, user: roles.User, source: str = "web") -> None:
    started = sessions.start(store, user.username, source)
    st.session_state[AUTH] = {"session_id": started.session.session_id, "username": user.username}
    st.session_state[HANDOFF] = started.handoff


def _forget(message: str | None = None) -> None:
    """Forget everything the browser session held (filters, tables, the user)."""
    st.session_state.clear()
    if message:
        st.session_state[FLASH] = message


def sign_out(store, user: roles.User, L: str) -> None:
    sessions.end(store, st.session_state[AUTH]["session_id"])
    audit.record(store, user, "logout")
    _forget(t("auth.bye", L))


def current(store, L: str = "zh") -> roles.User | None:
    """The signed-in user, when the session is live and the account may still be used: the session this browser
    tab signed in with, or the one its cookie names (a reload, a new tab)."""
    held = st.session_state.get(AUTH)
    from_cookie = held is None
    if from_cookie:
        found = sessions.resume(store, st.context.cookies.get(sessions.COOKIE))
        if found is None:
            return None
        held = {"session_id": found.session_id, "username": found.username}
    minutes = int(store.settings()["session_timeout_minutes"])
    state = sessions.check(store, sessions.Session(**held), minutes)
    user = accounts.load(store, held["username"]) if state.live else None
    if user is None:
        reason = state.reason or "gone"
        if state.new:  # the idle timeout ended it just now (said once, whichever tab looks first)
            audit.record(store, accounts.load(store, held["username"]) or held["username"], "session_expired")
        if from_cookie and not state.new:  # the cookie of a session that ended before: nothing to say or forget
            return None
        _forget(t(ENDED.get(reason, "auth.gone"), L).format(minutes=minutes))
        return None
    st.session_state[AUTH] = held
    return user


def hand_over_cookie(store) -> None:
    """Right after signing in: the page hands the browser its one-time code, which the browser exchanges with
    the server for the session cookie (drawn until the server has seen it exchanged)."""
    code = st.session_state.get(HANDOFF)
    if code is None:
        return
    if sessions.is_redeemed(store, st.session_state[AUTH]["session_id"]):
        del st.session_state[HANDOFF]
        return
    st.html(_post_script(server.SESSION_PATH, code), unsafe_allow_javascript=True)


def _post_script(path: str, body: str = "") -> str:
    # `body` is the server's own URL-safe code (letters, digits, - and _): nothing from data or a URL.
    return f"<script>fetch('{path}', {{method: 'POST', body: '{body}', credentials: 'same-origin'}});</script>"


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file: no single sign-on
        return False


def login_page(store, L: str) -> None:
    """The only page before signing in; after signing in, the address asked for opens."""
    st.title(t("app.title", L))
    if isinstance(st.context.cookies.get(sessions.COOKIE), str):  # a cookie of an ended session: the browser forgets it
        st.html(_post_script(server.SIGN_OUT_PATH), unsafe_allow_javascript=True)
    if FLASH in st.session_state:
        st.warning(st.session_state.pop(FLASH))
    if _sso_configured():
        identity = getattr(st, "user", None)
        if identity is not None and identity.get("is_logged_in"):
            subject = identity.get("email") or identity.get("sub")
            try:
                sign_in(store, accounts.sso_user(store, subject), "sso")
                st.rerun()
            except accounts.LoginFailed as err:
                st.error(text.plain(str(err)))
                st.button(t("auth.sso_out", L), on_click=st.logout, key="sso_logout")
                return
        st.button(t("auth.sso", L), on_click=st.login, key="sso_login", type="primary")
    with st.form("login", enter_to_submit=True):
        st.subheader(t("auth.title", L))
        username = st.text_input(t("auth.username", L), key="login_user")
        password = st.text_input(t("auth.password", L), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.submit", L), type="primary")
    if submitted:
        try:
            sign_in(store, accounts.authenticate(store, username.strip(), password))
            st.rerun()
        except accounts.LoginFailed as err:
            st.error(text.plain(str(err)))
    demo = store.read("SELECT username, role, area_code FROM users WHERE is_demo = :t ORDER BY username", {"t": True})
    if len(demo) and not accounts.demo_closed(store):
        from core.demo import DEMO_PASSWORD
        names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
        st.info(t("auth.demo", L).format(password=DEMO_PASSWORD) + "\n\n" + "\n".join(
            f"- `{r.username}`{'：' if L == 'zh' else ': '}{roles.ROLES[r.role].name(L)}"
            + (paren(names.get(r.area_code, r.area_code), L) if isinstance(r.area_code, str) else "")
            for r in demo.itertuples()))
    elif store.read("SELECT COUNT(*) AS n FROM users")["n"].iloc[0] == 0:
        st.warning(t("auth.no_accounts", L))


def change_password_page(store, user: roles.User, L: str) -> None:
    """The first sign-in with an initial password: the account changes it before anything else."""
    st.title(t("auth.change_title", L))
    st.info(tn("auth.change_why", L, n=int(store.settings()["password_min_length"])))
    with st.form("change_password"):
        old = st.text_input(t("auth.change_old", L), type="password", key="pw_old")
        new = st.text_input(t("auth.change_new", L), type="password", key="pw_new")
        again = st.text_input(t("auth.change_again", L), type="password", key="pw_again")
        if st.form_submit_button(t("auth.change_submit", L), type="primary"):
            if new != again:
                st.error(t("auth.change_differ", L))
                return
            try:
                accounts.change_password(store, user, old, new)
            except ValueError as err:
                st.error(text.plain(str(err)))
                return
            st.session_state[FLASH_OK] = t("auth.changed", L)
            st.rerun()


def sidebar(store, user: roles.User, L: str) -> None:
    """Who is signed in, and the way out."""
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    role = roles.ROLES[user.role]
    said = user.display_name if role.zh in user.display_name or role.en in user.display_name else \
        f"{user.display_name} · {role.name(L)}"  # a name that already says the role does not say it twice
    # an entity's account: its enterprise's or institution's name, with the code it is known by in the data
    entity = accounts.entity_name(store, user) if user.entity else None
    where = f"{entity}{paren(user.entity, L)}" if entity else user.entity or names.get(user.scope, user.scope)
    st.sidebar.caption(text.plain(f"{said} · {where}"))
    if FLASH_OK in st.session_state:
        st.sidebar.success(st.session_state.pop(FLASH_OK))
    if st.sidebar.button(t("auth.logout", L), key="logout"):
        sign_out(store, user, L)
        st.rerun()
    if not user.can("settings"):  # the settings page says it with what to do
        for note in settings_change.calendar_notes(settings_change.years_in_view(None), L):  # deadlines set today
            st.sidebar.caption(f":orange[{note}]")
    hand_over_cookie(store)
