"""The audit log: sign-ins (and failures), uploads, exports, recorded actions, account and settings
changes, each with who, when, what, and from which scope. Written in its own transaction, so a
refused or failed operation is still recorded; read by administrators only."""
from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import sqlalchemy as sa

from core.access.roles import require, ROLES
from core.policy import clock
from core.policy.cases import KINDS as CASE_KINDS
from core.present.i18n import vocabulary
from core.store import schema as S

ACTIONS = {
    "login": ("登录", "Sign-in"), "logout": ("退出", "Sign-out"), "session_expired": ("会话超时", "Session expired"),
    "account_locked": ("账户锁定", "Account locked"), "upload": ("上传数据", "Upload"), "export": ("导出", "Export"),
    "action_recorded": ("记录处理情况", "Action recorded"), "account_created": ("创建账户", "Account created"),
    "account_role": ("修改角色或区域", "Role or area changed"), "account_enabled": ("启用账户", "Account enabled"),
    "account_disabled": ("停用账户", "Account disabled"), "password_reset": ("重置密码", "Password reset"),
    "account_sso": ("关联统一身份认证", "Single sign-on linked"), "setting_changed": ("修改设置", "Setting changed"),
    "access_denied": ("越权操作被拒绝", "Access denied"), "action_withdrawn": ("撤销处理记录", "Action withdrawn"),
    "complaint_raised": ("反馈诉求", "Complaint raised"), "complaint_replied": ("答复诉求", "Complaint answered"),
    "complaint_resolved": ("诉求已解决", "Complaint resolved"), "complaint_confirmed": ("确认诉求解决情况", "Resolution confirmed"),
    "explanation_given": ("作出说明", "Explanation given"), "accounts_issued": ("批量创建账户", "Accounts issued"),
    "password_changed": ("修改密码", "Password changed"),
    "notice_generated": ("生成季度通报", "Notification drafted"), "notice_issued": ("确认通报印发", "Notification issued"),
    "notice_void": ("作废通报稿", "Draft set aside"), "notice_revoked": ("撤销通报印发", "Issue revoked"),
}


def record(store, who, action: str, target: str = "", detail: str = "", outcome: str = "ok", conn=None) -> None:
    """Write one entry; `who` is a core.access.roles.User or a user name (an unknown one, for a failed sign-in). With
    `conn`, in that transaction (the entry and what it records commit together)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    if conn is None:
        with store.begin() as conn:
            return record(store, who, action, target, detail, outcome, conn)
    username = getattr(who, "username", who)
    conn.execute(S.audit_log.insert().values(
        at=clock.now(), username=str(username)[:64], role=getattr(who, "role", None),
        scope=getattr(who, "scope", None), action=action, target=_text(target, 200), detail=_text(detail, 1000),
        outcome=outcome[:40]))


_UNWRITTEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def free_text(value) -> str:
    """A note, reply or explanation as the store keeps it: without control characters (tabs and line breaks stay;
    PostgreSQL refuses NUL), right-to-left overrides and isolates (which turn the text around where it is shown) and
    lone surrogates (which no encoding writes)."""
    return _UNWRITTEN.sub("", str(value or ""))


def _text(value, length: int) -> str:
    """What an entry keeps of a text: at most `length` characters, without NUL bytes (a store refuses them)."""
    return str(value).replace("\x00", "\\0")[:length]


def entries(store, actor, since: dt.date | None = None, until: dt.date | None = None, username: str | None = None,
            action: str | None = None, limit: int = 5000) -> pd.DataFrame:
    """The newest entries first, for administrators."""
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
    return store.read(q)


OUTCOMES = {
    "ok": ("成功", "OK"), "locked": ("账户已锁定", "Account locked"), "denied": ("已拒绝", "Refused"),
    "imported": ("已导入", "Imported"), "rejected": ("文件有误，未导入", "Refused: errors in the file"),
    "dry_run": ("仅检查，未导入", "Checked only"), "failed:wrong": ("失败：密码错误", "Failed: wrong password"),
    "failed:locked": ("失败：账户已锁定", "Failed: account locked"), "failed:unknown": ("失败：无此用户", "Failed: no such user"),
    "failed:disabled": ("失败：账户已停用", "Failed: account disabled"),
    "failed:demo_closed": ("失败：演示账户已失效", "Failed: demo accounts closed"),
    "failed:no_account": ("失败：未关联账户", "Failed: no linked account"),
}
SOURCES = {"web": ("网页", "Web"), "cli": ("命令行", "Command line"), "sso": ("统一身份认证", "Single sign-on")}
_SHEETS = {"institutions": ("医疗机构", "institutions"), "enterprises": ("企业", "enterprises"), "products": ("产品", "products"),
           "agreements": ("约定采购量", "agreements"), "orders": ("采购订单", "orders"), "baseline": ("上年采购基线", "baseline"),
           "complaints": ("诉求", "complaints")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def rows_text(rows: dict | str | None, lang: str = "zh") -> str:
    """Rows per sheet as they read: 医疗机构 10，采购订单 200 (— when none)."""
    if isinstance(rows, str):
        try:
            rows = json.loads(rows or "{}")
        except ValueError:
            return rows
    if not rows:
        return "—"
    sep = ", " if lang == "en" else "，"
    return sep.join(f"{_pick(_SHEETS.get(k, (k, k)), lang)} {v:,}" for k, v in rows.items())


def detail_text(action: str, detail: str, lang: str, role_name, area_name) -> str:
    """What an entry's detail says, in the interface language (details are written by the code below in a fixed
    shape; anything else reads as written)."""
    detail = detail or ""
    en = lang == "en"
    if action == "login" and detail in SOURCES:
        return _pick(SOURCES[detail], lang)
    if action == "account_locked" and (m := re.fullmatch(r"(\d+) failures", detail)):
        return f"{m.group(1)} failures in a row" if en else f"连续失败 {m.group(1)} 次"
    if action == "export" and (m := re.fullmatch(r"(\d+) rows", detail)):
        return f"{int(m.group(1)):,} rows" if en else f"{int(m.group(1)):,} 行"
    if action in ("account_created", "account_role") and (m := re.fullmatch(r"(\w+) (\d{6})", detail)):
        return f"{role_name(m.group(1))} · {area_name(m.group(2))}"
    if action in ("account_created", "account_role") and (m := re.fullmatch(r"(enterprise|institution) (.+)", detail)):
        return f"{role_name(m.group(1))} · {m.group(2)}"  # an entity's own account: its code
    if action == "accounts_issued" and (m := re.fullmatch(r"(\d+) accounts \(([a-z/]+)\)", detail)):
        kinds = "、".join(role_name(k) or k for k in m.group(2).split("/"))
        return f"{m.group(1)} accounts: {kinds}" if en else f"{m.group(1)} 个账户：{kinds}"
    if action == "upload" and (m := re.fullmatch(r"sha256=(\w+) rows=(\{.*\}) errors=(\d+)", detail)):
        errors = int(m.group(3))
        rows = rows_text(m.group(2), lang)
        return (f"rows: {rows}; errors: {errors}; SHA-256 {m.group(1)[:12]}…" if en
                else f"行数：{rows}；错误 {errors} 个；SHA-256 {m.group(1)[:12]}…")
    if action == "action_recorded" and (m := re.fullmatch(r"([a-z/]+) (\S+) (\S+)(?: 期限 (\S+))?: (.*)", detail, re.S)):
        kinds = "、".join(_pick((CASE_KINDS[k].zh, CASE_KINDS[k].en), lang) for k in m.group(1).split("/") if k in CASE_KINDS)
        due = (f" · {'deadline' if en else '期限'} {m.group(4)}" if m.group(4) else "")
        return f"{kinds} · {vocabulary(m.group(2), lang)} · {m.group(3)}{due}" + (f" · {m.group(5)}" if m.group(5) else "")
    if action == "notice_generated" and (m := re.fullmatch(r"#(\d+) n=(\d+) sha256=(\w+)", detail)):
        return (f"notification #{m.group(1)}: {m.group(2)} institutions listed; SHA-256 {m.group(3)[:12]}…" if en
                else f"通报 #{m.group(1)}：列入医疗机构 {m.group(2)} 家；SHA-256 {m.group(3)[:12]}…")
    if action == "notice_issued" and (m := re.fullmatch(r"(.*): (\d+) notified", detail, re.S)):
        return (f"number {m.group(1)}; {m.group(2)} institutions recorded as notified" if en
                else f"文号 {m.group(1)}；{m.group(2)} 家医疗机构记录为已通报")
    if action == "access_denied" and detail.startswith("record action outside scope"):
        return "recording an action outside the jurisdiction" if en else "在管辖范围外记录处理情况"
    return detail


def readable(frame: pd.DataFrame, regions: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The entries with their role, scope, action, outcome and detail as they read in the interface language
    (an entry without a role, such as a failed sign-in by an unknown name, shows none)."""
    names = dict(zip(regions["region_code"], regions["region_name"]))

    def role_name(r):
        return ROLES[r].name(lang) if isinstance(r, str) and r in ROLES else None

    def area_name(code):
        return names.get(code, code) if isinstance(code, str) else None
    def who(name):
        if isinstance(name, str) and name.startswith("cli:"):  # the operator at the server's command line
            said = "command line" if lang == "en" else "命令行"
            return said if name == "cli:operator" else f"{said}（{name[4:]}）"  # operator: no login name known
        return name
    return frame.assign(
        who=frame["username"].map(who) if "username" in frame else None,
        role_name=frame["role"].map(role_name), scope_name=frame["scope"].map(area_name),
        action_name=frame["action"].map(lambda a: _pick(ACTIONS[a], lang) if a in ACTIONS else a),
        outcome_text=frame["outcome"].map(lambda o: _pick(OUTCOMES[o], lang) if o in OUTCOMES else o),
        detail_text=[detail_text(a, d, lang, role_name, area_name) for a, d in zip(frame["action"], frame["detail"])])
