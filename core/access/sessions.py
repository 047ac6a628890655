"""Signed-in browsers: a session outlives a reload or a new tab until sign-out, the idle timeout, or the
account being disabled or its password reset.

The browser holds a random token in a cookie (HttpOnly, SameSite=Strict, set by the server's own route); the
store keeps only its SHA-256. Signing in makes a session with a one-time hand-over code, which the page gives
the browser and the browser exchanges, once and within `HANDOFF_MINUTES`, for the cookie: the token itself
never appears in a page or a URL. Every page run checks the session against the store, so a revocation
takes effect at the next click, in every tab.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from core.policy import clock
from core.store import schema as S

HANDOFF_MINUTES = 2
TOUCH_SECONDS = 60  # the last activity is written at most once a minute (the idle timeout is in minutes)
COOKIE = "vbp_session"
KEEP_ENDED = dt.timedelta(days=7)  # then the rows of ended sessions are deleted (the audit log keeps the sign-ins)


def _now() -> dt.datetime:
    return clock.now()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    session_id: str
    username: str


@dataclass(frozen=True)
class Started:
    session: Session
    handoff: str  # the one-time code the browser exchanges for its cookie


def start(store, username: str, source: str = "web", now: dt.datetime | None = None) -> Started:
    """A new session for an account that has just proved who it is."""
    now = now or _now()
    session_id, handoff = secrets.token_hex(16), secrets.token_urlsafe(32)
    t = S.user_sessions
    with store.begin() as conn:
        conn.execute(t.delete().where(sa.or_(t.c.revoked_at < now - KEEP_ENDED,  # ended sessions are kept a while
                                             sa.and_(t.c.token_hash.is_(None), t.c.handoff_until < now - KEEP_ENDED))))
        conn.execute(t.insert().values(
            session_id=session_id, username=username, token_hash=None, handoff_hash=digest(handoff),
            handoff_until=now + dt.timedelta(minutes=HANDOFF_MINUTES), source=source, created_at=now,
            last_seen_at=now))
    return Started(Session(session_id, username), handoff)


def redeem(store, handoff: str, now: dt.datetime | None = None) -> str | None:
    """The cookie's token for a hand-over code still unused and in time, or None. The code works once."""
    now = now or _now()
    if not isinstance(handoff, str) or not handoff or len(handoff) > 200:
        return None
    token = secrets.token_urlsafe(32)
    t = S.user_sessions
    with store.begin() as conn:
        done = conn.execute(t.update().where(
            t.c.handoff_hash == digest(handoff), t.c.handoff_until >= now, t.c.revoked_at.is_(None),
            t.c.token_hash.is_(None)).values(token_hash=digest(token), handoff_hash=None, handoff_until=None))
    return token if done.rowcount == 1 else None


def is_redeemed(store, session_id: str) -> bool:
    t = S.user_sessions
    with store.engine.connect() as conn:
        return conn.execute(sa.select(t.c.token_hash.isnot(None)).where(t.c.session_id == session_id)).scalar() or False


def resume(store, token: str | None) -> Session | None:
    """The session a cookie's token belongs to (whether still live is `check`'s question)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    t = S.user_sessions
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.c.session_id, t.c.username).where(t.c.token_hash == digest(token))).first()
    return Session(row.session_id, row.username) if row else None


@dataclass(frozen=True)
class State:
    live: bool
    reason: str = ""  # when not live: gone (the account), or why it ended (expired, signed_out, disabled, ...)
    new: bool = False  # it ended in this check (the idle timeout): said once, however many tabs look


def check(store, session: Session, timeout_minutes: int, now: dt.datetime | None = None) -> State:
    """Whether the session may go on. An idle one is ended here, as expired (only the check that ends it has `new`
    set; a later one, or another tab's at the same moment, finds it ended). A live one's last activity moves on
    (written at most once every TOUCH_SECONDS)."""
    now = now or _now()
    t, u = S.user_sessions, S.users
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.c.last_seen_at, t.c.revoked_at, t.c.revoked_reason, u.c.is_active)
                           .join(u, u.c.username == t.c.username)
                           .where(t.c.session_id == session.session_id, t.c.username == session.username)).first()
    if row is None or not row.is_active:
        return State(False, "gone")
    if row.revoked_at is not None:
        return State(False, row.revoked_reason or "signed_out")
    seen = _when(row.last_seen_at)
    if now - seen > dt.timedelta(minutes=timeout_minutes):
        ended = _revoke(store, t.c.session_id == session.session_id, "expired", now)
        return State(False, "expired", new=bool(ended))
    if (now - seen).total_seconds() >= TOUCH_SECONDS:
        with store.begin() as conn:
            conn.execute(t.update().where(t.c.session_id == session.session_id, t.c.revoked_at.is_(None))
                         .values(last_seen_at=now))
    return State(True)


def end(store, session_id: str, reason: str = "signed_out") -> None:
    """Sign-out: the session (and its cookie, in every tab) ends at once."""
    _revoke(store, S.user_sessions.c.session_id == session_id, reason)


def end_all(conn, username: str, reason: str) -> int:
    """Inside the transaction that disables an account or resets its password: every session of it ends."""
    t = S.user_sessions
    return conn.execute(t.update().where(t.c.username == username, t.c.revoked_at.is_(None))
                        .values(revoked_at=_now(), revoked_reason=reason)).rowcount


def _revoke(store, where, reason: str, now: dt.datetime | None = None) -> int:
    """End the sessions `where` selects that are still live; returns how many this call ended."""
    t = S.user_sessions
    with store.begin() as conn:
        return conn.execute(t.update().where(where, t.c.revoked_at.is_(None)).values(
            revoked_at=now or _now(), revoked_reason=reason, handoff_hash=None, handoff_until=None)).rowcount


def _when(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
