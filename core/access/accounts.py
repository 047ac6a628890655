"""Accounts (鲁医保发〔2023〕14号 三（一）: identity): passwords, sign-in, locks, single sign-on.

Passwords are stored as argon2id hashes (salted, slow). Repeated failures lock an account for a
while; a disabled account cannot sign in; demo accounts exist only in a demo store and are
removed by the first import of real data. Every sign-in, failure and change is in the audit log.

Roles, permissions and the `User` a sign-in gives are in core.access.roles.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import secrets

import argon2
import pandas as pd
import sqlalchemy as sa

from core.access import audit
from core.access.roles import User
from core.policy import clock
from core.store import schema as S

HASH_ENV = "VBP_PASSWORD_HASH"  # "fast": the cheapest argon2id parameters, for the test suite only


def _hasher() -> argon2.PasswordHasher:
    """argon2id at argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes: about 0.2 s a check here). With
    VBP_PASSWORD_HASH=fast (set by the test suite, never in production) the cheapest parameters: still salted argon2id
    hashes that verify, in well under a millisecond. A hash carries its parameters, so either kind verifies in either mode."""
    if os.environ.get(HASH_ENV) == "fast":
        return argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return argon2.PasswordHasher()


_HASHER = _hasher()
# An initial password is random (INITIAL_LENGTH characters of 56: over 90 bits) and changed at the first sign-in:
# cheaper argon2id parameters keep issuing the accounts of a province (thousands) to seconds, not minutes.
_INITIAL_HASHER = _HASHER if os.environ.get(HASH_ENV) == "fast" else \
    argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
INITIAL_LENGTH = 16
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread on paper


class LoginFailed(Exception):
    MESSAGES = {
        "denied": ("用户名或密码错误。连续失败多次的账户将被锁定 {minutes} 分钟，如需帮助请联系管理员",
                   "wrong user name or password. After repeated failures an account is locked for {minutes} minutes; "
                   "ask an administrator for help"),
        "disabled": ("账户已停用，请联系管理员", "the account is disabled: ask an administrator"),
        "demo_closed": ("已导入正式数据，演示账户不可再登录", "real data has been imported: demo accounts can no longer sign in"),
        "no_account": ("该统一身份认证账号未关联本系统账户，请联系管理员", "this single sign-on identity has no account here: ask an administrator"),
    }

    def __init__(self, reason: str, **values):
        self.reason = reason
        zh, en = self.MESSAGES[reason]
        super().__init__(f"{zh.format(**values)} / {en.format(**values)}")


# -- passwords ----------------------------------------------------------------------------
def check_password_rule(password: str, min_length: int) -> None:
    if len(password) < min_length or not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        raise ValueError(f"密码至少 {min_length} 位，且须同时包含字母和数字 / a password has at least {min_length} "
                         "characters with letters and digits")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def initial_password() -> tuple[str, str]:
    """A random initial password with letters and digits, and its hash: (password, hash)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(INITIAL_LENGTH))
        if re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password):
            return password, _INITIAL_HASHER.hash(password)


def initial_passwords(n: int, progress=None) -> list[tuple[str, str]]:
    """`n` initial passwords with their hashes, hashed on every core (argon2 lets go of Python's lock);
    `progress(fraction, text)` every hundred."""
    from concurrent.futures import ThreadPoolExecutor
    out = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for made in pool.map(lambda _i: initial_password(), range(n)):
            out.append(made)
            if progress is not None and len(out) % 100 == 0:
                progress(len(out) / n, f"{len(out)} / {n}")
    return out


def change_password(store, user: User, old: str, new: str) -> None:
    """The signed-in user's own new password: the old one checked, the new one by the rule and different from it;
    the initial password's obligation ends (audited)."""
    row = _row(store, user.username)
    if row is None or not _verify(row["password_hash"], old or ""):
        audit.record(store, user, "password_changed", outcome="failed:wrong")
        raise ValueError("原密码不正确 / the current password is wrong")
    check_password_rule(new or "", int(store.settings()["password_min_length"]))
    if new == old:
        raise ValueError("新密码不能与原密码相同 / the new password must differ from the current one")
    with store.begin() as conn:
        conn.execute(S.users.update().where(S.users.c.username == user.username).values(
            password_hash=hash_password(new), must_change_password=False, password_changed_at=clock.now()))
    audit.record(store, user, "password_changed")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
        return False


# -- reading ------------------------------------------------------------------------------
def _row(store, username: str) -> dict | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.users).where(S.users.c.username == username)).mappings().first()
    return dict(row) if row else None


def _user(store, row: dict) -> User:
    return User(row["username"], row["display_name"], row["role"], row["area_code"] or store.province_code,
                bool(row["is_demo"]), row.get("enterprise_code") or row.get("institution_code"),
                bool(row.get("must_change_password")))


def entity_name(store, user: User) -> str | None:
    """The name of the enterprise or institution an entity's account is tied to, as the store holds it now (None for
    the other roles, or when the store holds no name)."""
    if not user.entity:
        return None
    table, key, name = ("enterprises", "enterprise_code", "enterprise_name") if user.role == "enterprise" else \
        ("institutions", "institution_code", "institution_name")
    found = store.read(f"SELECT {name} AS name FROM {table} WHERE {key} = :c", {"c": user.entity})["name"]
    return str(found.iloc[0]) if len(found) and found.iloc[0] else None


def demo_closed(store) -> bool:
    return store.meta("demo_closed") == "1"


def load(store, username: str) -> User | None:
    """The account as it is now, when it may still be used (active, not a closed demo account)."""
    row = _row(store, username)
    if row is None or not row["is_active"] or (row["is_demo"] and demo_closed(store)):
        return None
    return _user(store, row)


def authenticate(store, username: str, password: str, now: dt.datetime | None = None, source: str = "web") -> User:
    """Check a password; lock the account after repeated failures. Every attempt is audited.

    An unknown name, a wrong password and a locked account answer alike, in words and in time: each checks one
    password hash and runs one counting statement, then fails with the same message (the audit log, for
    administrators, keeps which it was; an unknown name is kept only as a hash, as it may be a mistyped password).
    Failures are counted by the store in one statement, so tries made at the same moment all count."""
    now = now or clock.now()
    settings = store.settings()
    limit, minutes = int(settings["login_max_failures"]), int(settings["login_lock_minutes"])
    row = _row(store, username) if isinstance(username, str) and 0 < len(username) <= 64 else None
    right = _verify(row["password_hash"] if row else _dummy(), password or "")
    locked = row is not None and row["locked_until"] is not None and _when(row["locked_until"]) > now
    if row is None or locked or not right:
        failures = _count_failure(store, username if row is not None and not locked else None, now)
        reason = "unknown" if row is None else "locked" if locked else "wrong"
        who = username if row is not None else _unknown_name(username)
        audit.record(store, who, "login", outcome=f"failed:{reason}", detail=source)
        if failures is not None and failures >= limit:
            _lock(store, username, now + dt.timedelta(minutes=minutes))
            audit.record(store, username, "account_locked", outcome="locked", detail=f"{failures} failures")
        raise LoginFailed("denied", minutes=minutes)
    if not row["is_active"]:
        audit.record(store, username, "login", outcome="failed:disabled", detail=source)
        raise LoginFailed("disabled")
    if row["is_demo"] and demo_closed(store):
        audit.record(store, username, "login", outcome="failed:demo_closed", detail=source)
        raise LoginFailed("demo_closed")
    with store.begin() as conn:
        conn.execute(S.users.update().where(S.users.c.username == username).values(
            failed_logins=0, locked_until=None, previous_login_at=S.users.c.last_login_at, last_login_at=now))
    user = _user(store, row)
    audit.record(store, user, "login", detail=source)
    return user


def _count_failure(store, username: str | None, now: dt.datetime) -> int | None:
    """One more failure of an unlocked account, counted by the store (UPDATE ... RETURNING): the count after it.
    The statement runs for every failure, matching no row for an unknown name or a locked account."""
    u = S.users
    with store.begin() as conn:
        return conn.execute(u.update().where(
            u.c.username == (username or ""), sa.or_(u.c.locked_until.is_(None), u.c.locked_until <= now))
            .values(failed_logins=u.c.failed_logins + 1).returning(u.c.failed_logins)).scalar()


def _lock(store, username: str, until: dt.datetime) -> None:
    with store.begin() as conn:
        conn.execute(S.users.update().where(S.users.c.username == username)
                     .values(failed_logins=0, locked_until=until))


def _unknown_name(typed) -> str:
    """How the audit log keeps a name that is no account: a short hash, never the text (it may be a password)."""
    return "unknown:" + hashlib.sha256(str(typed).encode("utf-8", "replace")).hexdigest()[:12]


@functools.cache
def _dummy() -> str:
    """The hash an unknown name is checked against, made at the first sign-in of the process, not at its import (a
    hash at production cost is 0.2 s, paid by every command and job process that never signs anybody in)."""
    return _HASHER.hash("not a password of anyone")


def _when(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else pd.Timestamp(value).to_pydatetime()


def sso_user(store, subject: str) -> User:
    """The local account linked to a single sign-on identity (e-mail or subject claim)."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.users).where(S.users.c.sso_subject == subject)).mappings().first()
    if row is None or not row["is_active"] or (row["is_demo"] and demo_closed(store)):
        audit.record(store, subject, "login", outcome="failed:no_account" if row is None else "failed:disabled",
                     detail="sso")
        raise LoginFailed("no_account" if row is None else "disabled")
    user = _user(store, dict(row))
    with store.begin() as conn:
        conn.execute(S.users.update().where(S.users.c.username == user.username).values(
            previous_login_at=S.users.c.last_login_at, last_login_at=clock.now()))
    audit.record(store, user, "login", detail="sso")
    return user


def previous_sign_in(store, username: str) -> dt.datetime | None:
    """When the user signed in before the latest sign-in (None before a second one): what is new to them counts
    from it."""
    found = store.read("SELECT previous_login_at FROM users WHERE username = :u", {"u": username})["previous_login_at"]
    value = found.iloc[0] if len(found) else None
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else _when(value)

