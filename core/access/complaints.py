"""诉求对接 (二（四）) in the app: an institution raises a complaint with an enterprise; the enterprise replies with a
promised resolution date no later than `complaint_resolve_workdays` working days after its reply, then marks it
resolved; the institution confirms the resolution or disputes it. Each step is made by the account of the side whose
step it is, on its own complaints only, dated the day it is made (`today` is for hand-worked tests), audited, and
checked in the statement that writes it, so two clicks cannot both count.

Complaints raised here share the table, and the rule (core.policy.complaints), with imported ones; an import never
overwrites them (core.store.db.upsert). The figures at T count what happened by T: a step dated on or before the
default view's as-of date has them computed again."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.access import audit
from core.access.roles import AccessDenied, User, require
from core.policy import clock
from core.policy import complaints as rule
from core.policy.extract import ISSUE_TYPES
from core.policy.workdays import DEFAULT as CALENDAR
from core.read import docking
from core.store import cache, views
from core.store import schema as S
from core.store.view import View

TEXT_MAX = 2000


def _actor(view: View, permission: str, kind: str) -> tuple[User, str]:
    user = view.user
    if user is None:
        raise AccessDenied("未登录 / not signed in")
    require(user, permission)
    if view.entity is None or view.entity[0] != kind:
        raise AccessDenied("此操作只供本单位账户使用 / only the entity's own account may do this")
    return user, view.entity[1]


def _text(value, what_zh: str, what_en: str, needed: bool = True) -> str:
    value = audit.free_text(value).strip()
    if needed and not value:
        raise ValueError(f"请填写{what_zh} / {what_en} is needed")
    if len(value) > TEXT_MAX:
        raise ValueError(f"{what_zh}最多 {TEXT_MAX} 个字 / {what_en} holds at most {TEXT_MAX} characters")
    return value


def _moved(store, conn, day: dt.date) -> None:
    """A step of a complaint, inside its transaction: the complaint lists (cached under the actions' version) show
    it at once; a step dated on or before the figures' as-of date also changes them (computed again when next
    asked for)."""
    store.bump_meta(conn, "actions_version")
    default = views.default_view(store)
    if default is not None and day <= default.as_of:
        store.bump_data_version(conn)


def _update(view: View, complaint_id: str, side: str, guard, values: dict, refusal: tuple[str, str]) -> dict:
    """Update one complaint of this side's entity where `guard` holds (checked in the statement); refuse with
    `refusal` when it does not. Returns the row as it was."""
    with view.store.begin() as conn:
        row = conn.execute(sa.select(S.complaints).where(S.complaints.c.complaint_id == str(complaint_id))).mappings().first()
        if row is None or row[f"{side}_code"] != view.entity[1]:
            raise AccessDenied(f"没有这条诉求 / no such complaint: {str(complaint_id)[:40]}")
        if row["source"] != "app":  # its steps come with the platform's extract, which the next import writes again
            raise ValueError("平台导入的诉求请在招采平台办理，本系统随导入更新 / an imported complaint is answered on the "
                             "procurement platform; the next import brings its steps")
        done = conn.execute(S.complaints.update().where(S.complaints.c.complaint_id == str(complaint_id), guard)
                            .values(**values)).rowcount
        if not done:
            raise ValueError(f"{refusal[0]} / {refusal[1]}")
        _moved(view.store, conn, values.get("reply_date") or values.get("resolved_date")
                       or values.get("confirmation_date") or row["raised_date"])
    cache.changed(view.store)
    return dict(row)


def raise_complaint(view: View, enterprise_code: str, product_code: str | None, issue_type: str, description: str,
                    today: dt.date | None = None) -> str:
    """An institution's complaint to an enterprise that supplies it (the maker of a product it holds or bought, or
    the distributor of its agreements or orders), about one of those products or none; returns its number."""
    user, code = _actor(view, "complain", "institution")
    today = today or clock.today()
    if issue_type not in ISSUE_TYPES:
        raise ValueError(f"问题类型应为：{'、'.join(ISSUE_TYPES)} / the issue is one of {', '.join(ISSUE_TYPES)}")
    if not isinstance(enterprise_code, str) or not enterprise_code.strip():  # the form starts with none chosen
        raise ValueError("请选择被反馈的企业 / choose the enterprise the complaint is to")
    if any(ord(c) < 32 for c in enterprise_code):  # no code holds a control character (pandas compares up to a NUL)
        raise ValueError(f"企业 {enterprise_code.strip()[:32]!r} 不向本机构供货 / this enterprise does not supply you")
    description = _text(description, "问题描述", "a description")
    mine = docking.counterparts(view)
    theirs = mine[mine["enterprise_code"] == enterprise_code]
    if theirs.empty:
        raise ValueError(f"企业 {str(enterprise_code)[:32]} 不向本机构供货 / this enterprise does not supply you")
    if product_code and product_code not in set(theirs["product_code"]):
        raise ValueError(f"产品 {str(product_code)[:32]} 不是该企业向本机构供应的产品 / not a product it supplies you")
    prefix = f"APP{today:%Y%m%d}"
    for _attempt in range(5):  # two institutions raising at the same moment: the second takes the next number
        with view.store.engine.connect() as conn:
            ids = conn.execute(sa.select(S.complaints.c.complaint_id)
                               .where(S.complaints.c.complaint_id.like(prefix + "%"))).scalars().all()
        numbers = [int(i[len(prefix):]) for i in ids if i[len(prefix):].isdigit() and len(i) == len(prefix) + 5]
        complaint_id = f"{prefix}{max(numbers, default=0) + 1:05d}"  # the highest + 1: gaps and imports never jam it
        try:
            with view.store.begin() as conn:
                conn.execute(S.complaints.insert().values(
                    complaint_id=complaint_id, institution_code=code, enterprise_code=enterprise_code,
                    product_code=product_code or None, issue_type=issue_type, raised_date=today, source="app",
                    description=description, raised_by=user.username))
                _moved(view.store, conn, today)
            break
        except sa.exc.IntegrityError:
            continue
    else:
        raise RuntimeError("诉求编号冲突，请重试 / the complaint number is taken: try again")
    cache.changed(view.store)
    audit.record(view.store, user, "complaint_raised", target=complaint_id, detail=f"{enterprise_code} {issue_type}")
    return complaint_id


def reply(view: View, complaint_id: str, promised_date: dt.date, reply_text: str, today: dt.date | None = None) -> None:
    """The enterprise's reply with its promised resolution date: not before the reply, and no later than
    `complaint_resolve_workdays` working days after it (二（四）); once."""
    user, _code = _actor(view, "respond", "enterprise")
    today = today or clock.today()
    reply_text = _text(reply_text, "回复内容", "a reply")
    if not isinstance(promised_date, dt.date) or isinstance(promised_date, dt.datetime):
        raise ValueError("承诺解决日期应为日期 / the promised date is a date")
    latest = CALENDAR.add(today, int(view.store.settings()["complaint_resolve_workdays"]))
    if not today <= promised_date <= latest:
        raise ValueError(f"承诺解决日期应在 {today} 至 {latest} 之间（回复后不超过 "
                         f"{view.store.settings()['complaint_resolve_workdays']} 个工作日） / the promised date lies "
                         f"between {today} and {latest}")
    c = S.complaints.c
    _update(view, complaint_id, "enterprise", sa.and_(c.reply_date.is_(None), c.raised_date <= today),
            {"reply_date": today, "promised_date": promised_date, "reply_text": reply_text, "replied_by": user.username},
            ("该诉求已回复", "already answered"))
    audit.record(view.store, user, "complaint_replied", target=str(complaint_id), detail=f"{today} -> {promised_date}")


def resolve(view: View, complaint_id: str, today: dt.date | None = None) -> None:
    """The enterprise marks a replied complaint resolved, today."""
    user, _code = _actor(view, "respond", "enterprise")
    today = today or clock.today()
    c = S.complaints.c
    _update(view, complaint_id, "enterprise", sa.and_(c.reply_date.is_not(None), c.resolved_date.is_(None),
                                                      c.reply_date <= today),
            {"resolved_date": today}, ("该诉求尚未回复或已解决", "not answered yet, or resolved already"))
    audit.record(view.store, user, "complaint_resolved", target=str(complaint_id), detail=str(today))


def confirm(view: View, complaint_id: str, accepted: bool, note: str = "", today: dt.date | None = None) -> None:
    """The institution confirms a resolution (已确认) or disputes it (有异议, with the reason), once."""
    user, _code = _actor(view, "complain", "institution")
    today = today or clock.today()
    note = _text(note, "异议理由", "the reason", needed=not accepted)
    c = S.complaints.c
    _update(view, complaint_id, "institution", sa.and_(c.resolved_date.is_not(None), c.confirmation.is_(None)),
            {"confirmation": rule.CONFIRMED if accepted else rule.DISPUTED, "confirmation_date": today,
             "confirmation_note": note},
            ("该诉求尚未解决或已确认", "not resolved yet, or confirmed already"))
    audit.record(view.store, user, "complaint_confirmed", target=str(complaint_id),
                 detail=(rule.CONFIRMED if accepted else rule.DISPUTED) + (f": {note}" if note else ""))
