"""Account administration: create, change, disable and reset accounts. Only an administrator (or
the command line operator) may; every change is audited with who made it."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd
import sqlalchemy as sa

from core.access import audit, sessions
from core.access.accounts import check_password_rule, hash_password
from core.access.roles import AccessDenied, require, ROLES, User
from core.policy import clock, regions
from core.present.i18n import t
from core.store import schema as S

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")


def _now() -> dt.datetime:
    return clock.now()


def check_area(store, role: str, area_code: str | None) -> str | None:
    """The area an account of this role holds: the province for province-wide roles (stored as none),
    a city for a city officer, a county for a county officer."""
    if role not in ROLES:
        raise ValueError(f"未知角色 / unknown role: {role}")
    level = ROLES[role].area_level
    if level == "province":
        return None
    table = store.regions()
    allowed = regions.prefecture_units(table) if level == "city" else \
        table.loc[table["region_level"] == "county", "region_code"].tolist()
    if not area_code or area_code not in allowed:
        word = {"city": ("市", "city"), "county": ("区县", "county")}[level]
        raise ValueError(f"{ROLES[role].zh}须指定一个{word[0]}级区域代码 / a {ROLES[role].en} needs a {word[1]} code")
    return area_code


def _exists(conn, username: str) -> bool:
    return conn.execute(sa.select(S.users.c.username).where(S.users.c.username == username)).first() is not None


def _plain_text(label: tuple[str, str], value: str, length: int) -> str:
    """A name or identity typed by an administrator: at most `length` characters, nothing invisible."""
    value = (value or "").strip()
    if len(value) > length:
        raise ValueError(f"{label[0]}最长 {length} 个字符（现为 {len(value)} 个） / {label[1]} has at most {length} characters")
    odd = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")), None)
    if odd is not None:
        raise ValueError(f"{label[0]}含有不可见字符 U+{ord(odd):04X} / {label[1]} holds an invisible character U+{ord(odd):04X}")
    return value


DISPLAY_NAME = ("姓名", "a display name")
SSO_SUBJECT = ("统一身份认证标识", "a single sign-on identity")


def create_user(store, actor: User, username: str, display_name: str, role: str, area_code: str | None,
                password: str, is_demo: bool = False) -> None:
    require(actor, "admin")
    display_name = _plain_text(DISPLAY_NAME, display_name, 100)
    if not USERNAME.match(username or ""):
        raise ValueError("用户名为3至64位字母、数字或 _ . @ - / a user name is 3 to 64 letters, digits or _ . @ -")
    if username.startswith("cli:"):
        raise ValueError("用户名不能以 cli: 开头 / a user name cannot start with cli:")
    area = check_area(store, role, area_code)
    check_password_rule(password, int(store.settings()["password_min_length"]))
    with store.begin() as conn:
        if _exists(conn, username):
            raise ValueError(f"用户名 {username} 已存在 / the user name {username} is taken")
        now = _now()
        conn.execute(S.users.insert().values(username=username, display_name=display_name or username, role=role,
                                             area_code=area, password_hash=hash_password(password), is_active=True,
                                             is_demo=is_demo, failed_logins=0, created_at=now, password_changed_at=now))
    audit.record(store, actor, "account_created", target=username, detail=f"{role} {area or store.province_code}")


def _change(store, actor: User, username: str, action: str, detail: str, end_sessions: str = "", **values) -> None:
    """Change an account's row; `end_sessions` (a reason) also ends every session it has, in the same transaction."""
    require(actor, "admin")
    with store.begin() as conn:
        if not _exists(conn, username):
            raise ValueError(f"没有用户 {username} / no user {username}")
        conn.execute(S.users.update().where(S.users.c.username == username).values(**values))
        if end_sessions:
            sessions.end_all(conn, username, end_sessions)
    audit.record(store, actor, action, target=username, detail=detail)


def set_role(store, actor: User, username: str, role: str, area_code: str | None) -> None:
    area = check_area(store, role, area_code)
    _change(store, actor, username, "account_role", f"{role} {area or store.province_code}", role=role, area_code=area)


def set_active(store, actor: User, username: str, active: bool) -> None:
    if not active and username == actor.username:
        raise AccessDenied("不能停用自己的账户 / you cannot disable your own account")
    _change(store, actor, username, "account_enabled" if active else "account_disabled", "",
            end_sessions="" if active else "disabled", is_active=active, failed_logins=0, locked_until=None)


def reset_password(store, actor: User, username: str, password: str) -> None:
    check_password_rule(password, int(store.settings()["password_min_length"]))
    _change(store, actor, username, "password_reset", "", end_sessions="password_reset",
            password_hash=hash_password(password), failed_logins=0, locked_until=None, password_changed_at=_now())


def link_sso(store, actor: User, username: str, subject: str | None) -> None:
    """Link a single sign-on identity (the e-mail or subject the provider gives) to an account; an identity links
    to one account only."""
    subject = _plain_text(SSO_SUBJECT, subject or "", 200) or None
    if subject is not None:
        taken = store.read("SELECT username FROM users WHERE sso_subject = :s AND username <> :u", {"s": subject, "u": username})
        if len(taken):
            raise ValueError(f"该统一身份认证标识已关联账户 {taken['username'].iloc[0]} / this identity is already linked to "
                             f"{taken['username'].iloc[0]}")
    _change(store, actor, username, "account_sso", subject or "", sso_subject=subject)


def users(store, actor: User, lang: str = "zh") -> pd.DataFrame:
    """Every account, with its times as times (to the second), its creation day, and its state in words
    (`status_text`: active, disabled, or locked until when)."""
    require(actor, "admin")
    frame = store.read("""SELECT u.username, u.display_name, u.role, u.area_code, r.region_name AS area_name, u.is_active,
                                 u.is_demo, u.failed_logins, u.locked_until, u.last_login_at, u.sso_subject, u.created_at
                          FROM users u LEFT JOIN regions r ON r.region_code = u.area_code ORDER BY u.username""")
    frame["area_code"] = frame["area_code"].fillna(store.province_code)
    frame["area_name"] = frame["area_name"].fillna(store.regions().set_index("region_code")
                                                   .loc[store.province_code, "region_name"])
    frame["role_name"] = frame["role"].map(lambda r: ROLES[r].name())
    frame[["is_active", "is_demo"]] = frame[["is_active", "is_demo"]].astype(bool)
    for column in ("locked_until", "last_login_at", "created_at"):  # SQLite gives text: times as times
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").dt.floor("s")
    frame["created_on"] = frame["created_at"].dt.normalize()
    locked = frame["locked_until"] > pd.Timestamp(_now())
    frame["status_text"] = [t("ad.status.disabled", lang) if not active else
                            t("ad.status.locked", lang).format(until=f"{until:%Y-%m-%d %H:%M}") if lock else
                            t("ad.status.active", lang)
                            for active, lock, until in zip(frame["is_active"], locked, frame["locked_until"])]
    return frame


def remove_demo_accounts(conn) -> int:
    """Inside the transaction that imports real data: demo accounts go."""
    return conn.execute(S.users.delete().where(S.users.c.is_demo.is_(True))).rowcount
