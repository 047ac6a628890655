"""The audit log: sign-ins (and failures), uploads, exports, recorded actions, account and settings
changes, each with who, when, what, and from which scope. Written in its own transaction, so a
refused or failed operation is still recorded; read by administrators only."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from . import schema as S

ACTIONS = {
    "login": ("登录", "sign-in"), "logout": ("退出", "sign-out"), "session_expired": ("会话超时", "session expired"),
    "account_locked": ("账户锁定", "account locked"), "upload": ("上传数据", "upload"), "export": ("导出", "export"),
    "action_recorded": ("记录处理情况", "action recorded"), "account_created": ("创建账户", "account created"),
    "account_role": ("修改角色或区域", "role or area changed"), "account_enabled": ("启用账户", "account enabled"),
    "account_disabled": ("停用账户", "account disabled"), "password_reset": ("重置密码", "password reset"),
    "account_sso": ("关联统一身份认证", "single sign-on linked"), "setting_changed": ("修改设置", "setting changed"),
    "access_denied": ("越权操作被拒绝", "access denied"),
}


def record(store, who, action: str, target: str = "", detail: str = "", outcome: str = "ok") -> None:
    """Write one entry; `who` is a core.accounts.User or a user name (an unknown one, for a failed sign-in)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    username = getattr(who, "username", who)
    with store.begin() as conn:
        conn.execute(S.audit_log.insert().values(
            at=dt.datetime.now().replace(microsecond=0), username=str(username)[:64], role=getattr(who, "role", None),
            scope=getattr(who, "scope", None), action=action, target=str(target)[:200], detail=str(detail)[:1000],
            outcome=outcome[:40]))


def entries(store, actor, since: dt.date | None = None, until: dt.date | None = None, username: str | None = None,
            action: str | None = None, limit: int = 5000) -> pd.DataFrame:
    """The newest entries first, for administrators."""
    from .accounts import require
    require(actor, "admin")
    q = sa.select(S.audit_log).order_by(S.audit_log.c.at.desc(), S.audit_log.c.audit_id.desc()).limit(limit)
    if since:
        q = q.where(S.audit_log.c.at >= dt.datetime.combine(since, dt.time()))
    if until:
        q = q.where(S.audit_log.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if username:
        q = q.where(S.audit_log.c.username == username)
    if action:
        q = q.where(S.audit_log.c.action == action)
    frame = store.read(q)
    frame["action_name"] = frame["action"].map(lambda a: ACTIONS[a][0])
    return frame
