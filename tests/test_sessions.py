"""Signed-in browsers (core/access/sessions.py) on SQLite and PostgreSQL: the cookie's token is stored only as a hash, the
hand-over code works once and in time, the idle timeout ends a session, and sign-out, disabling the account or
resetting its password end it at once."""
import datetime as dt

import pytest
import sqlalchemy as sa

from core.access import admin, roles, sessions
from core.store.opening import open_store


PASSWORD = "Secret2026pass"
T0 = dt.datetime(2026, 11, 20, 9, 0, 0)


@pytest.fixture
def store(store_url):
    s = open_store(store_url)
    operator = roles.system_user(s)
    admin.create_user(s, operator, "jinan01", "张三", "city_officer", "370100", PASSWORD)
    return s


def _row(store, session_id):
    return store.read("SELECT * FROM user_sessions WHERE session_id = :s", {"s": session_id}).iloc[0]


def test_the_cookie_token_exists_only_in_the_browser(store):
    started = sessions.start(store, "jinan01", now=T0)
    token = sessions.redeem(store, started.handoff, now=T0 + dt.timedelta(seconds=5))
    assert token and len(token) >= 40
    row = _row(store, started.session.session_id)
    stored = " ".join(str(v) for v in row.tolist())
    assert token not in stored and started.handoff not in stored  # neither secret is kept, only hashes
    assert row["token_hash"] == sessions.digest(token) and row["handoff_hash"] is None
    assert sessions.resume(store, token) == started.session
    assert sessions.is_redeemed(store, started.session.session_id)


def test_the_hand_over_code_works_once_and_only_in_time(store):
    first = sessions.start(store, "jinan01", now=T0)
    assert sessions.redeem(store, first.handoff, now=T0 + dt.timedelta(minutes=1))
    assert sessions.redeem(store, first.handoff, now=T0 + dt.timedelta(minutes=1)) is None  # used
    late = sessions.start(store, "jinan01", now=T0)
    assert sessions.redeem(store, late.handoff, now=T0 + dt.timedelta(minutes=sessions.HANDOFF_MINUTES, seconds=1)) is None
    assert sessions.redeem(store, "made-up-code") is None and sessions.redeem(store, "") is None
    assert sessions.resume(store, "made-up-token") is None and sessions.resume(store, None) is None


def test_idle_timeout_ends_the_session_once(store):
    started = sessions.start(store, "jinan01", now=T0)
    assert sessions.check(store, started.session, 30, now=T0 + dt.timedelta(minutes=29)).live
    # the activity at 29 minutes moved the last activity on: 30 more minutes from there are allowed
    assert sessions.check(store, started.session, 30, now=T0 + dt.timedelta(minutes=58)).live
    idle = T0 + dt.timedelta(minutes=58, seconds=30) + dt.timedelta(minutes=30, seconds=1)
    assert sessions.check(store, started.session, 30, now=idle) == sessions.State(False, "expired", new=True)
    # the next look (another tab) finds it ended: the timeout is said, and audited, once
    assert sessions.check(store, started.session, 30, now=idle) == sessions.State(False, "expired", new=False)
    assert _row(store, started.session.session_id)["revoked_reason"] == "expired"


def test_sign_out_disable_and_reset_end_sessions_at_once(store):
    operator = roles.system_user(store)
    a, b, c = (sessions.start(store, "jinan01") for _ in range(3))
    sessions.end(store, a.session.session_id)
    assert sessions.check(store, a.session, 30) == sessions.State(False, "signed_out")
    assert sessions.check(store, b.session, 30).live
    admin.reset_password(store, operator, "jinan01", "Another2026pass")
    assert sessions.check(store, b.session, 30) == sessions.State(False, "password_reset")
    assert sessions.check(store, c.session, 30) == sessions.State(False, "password_reset")
    d = sessions.start(store, "jinan01")
    admin.set_active(store, operator, "jinan01", False)
    assert not sessions.check(store, d.session, 30).live
    admin.set_active(store, operator, "jinan01", True)
    assert not sessions.check(store, d.session, 30).live  # re-enabling does not bring a session back


def test_a_session_names_its_own_account_only(store):
    operator = roles.system_user(store)
    admin.create_user(store, operator, "other01", "李四", "city_officer", "370200", PASSWORD)
    mine = sessions.start(store, "jinan01")
    forged = sessions.Session(mine.session.session_id, "other01")
    assert sessions.check(store, forged, 30) == sessions.State(False, "gone")


def test_ended_sessions_are_deleted_after_a_week(store):
    old = sessions.start(store, "jinan01", now=T0)
    sessions.end(store, old.session.session_id)
    with store.begin() as conn:
        conn.execute(sa.text("UPDATE user_sessions SET revoked_at = :t"), {"t": T0})
    sessions.start(store, "jinan01", now=T0 + sessions.KEEP_ENDED + dt.timedelta(minutes=1))
    assert store.read("SELECT session_id FROM user_sessions")["session_id"].tolist() != [old.session.session_id]
    assert old.session.session_id not in set(store.read("SELECT session_id FROM user_sessions")["session_id"])
