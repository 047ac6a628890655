"""The quarterly notification (通报, 二（七）) for a user: generated for a quarter and an area of the user's jurisdiction
(the figures of the quarter's end against the quarter before), recorded and audited; an officer then confirms it was
issued, with its document number, and only then do the institutions it lists get their 已通报 record, with the
rectification deadline the document states.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import sqlalchemy as sa

from core.access import actions, audit, scope
from core.access.roles import AccessDenied, require, User
from core.policy import cases, clock, periods
from core.policy.workdays import DEFAULT as CALENDAR
from core.present import notice_doc
from core.read import notice as reader
from core.read.filters import order_dates
from core.store import cache
from core.store import schema as S
from core.store.view import area_chain

NUMBER_MAX = 60


@dataclass(frozen=True)
class Generated:
    notice_id: int
    content: reader.Content
    document: bytes
    notes: list[tuple[str, str]]  # what had to be set aside (an area outside the jurisdiction)

    @property
    def file_name(self) -> str:
        return f"{self.content.area_name}{notice_doc.quarter_words(self.content)}集采执行情况通报.docx"


def quarters(store) -> list[str]:
    """The quarters a notification can report: ended by the latest figures and inside the orders' dates, latest
    first."""
    dates = order_dates(store)
    if not dates:
        return []
    return reader.quarters_between(dates[0], dates[1])


def _quarter(store, quarter: str) -> dt.date:
    end = reader.quarter_end(quarter)
    if periods.quarter_of(end) not in quarters(store):
        dates = order_dates(store)
        span = f"{dates[0]} 至 {dates[1]}" if dates else "（无订单）"
        raise ValueError(f"{str(quarter)[:10]} 尚未结束或不在数据范围（{span}）内 / {str(quarter)[:10]} has not ended "
                         f"or lies outside the figures ({span.replace(' 至 ', ' to ')})")
    return end


def _one_line(value, what_zh: str, what_en: str, longest: int) -> str:
    """A document number or a reason as one printable line: no control or format characters (tabs, line breaks,
    right-to-left overrides, zero-width marks), 1 to `longest` characters."""
    text = str(value or "").strip()
    if not text or len(text) > longest or \
            any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text):
        raise ValueError(f"请填写{what_zh}（1 至 {longest} 个字符的一行文字） / give the {what_en} (one line of 1 to "
                         f"{longest} characters)")
    return text


def _number_key(number: str) -> str:
    """A document number as it is compared: full-width digits and letters as their plain forms (２０２６ is 2026)."""
    return unicodedata.normalize("NFKC", str(number or ""))


def generate(store, user: User, quarter: str, area: str | None = None, today: dt.date | None = None,
             progress: Callable[[float, str], None] | None = None) -> Generated:
    """The notification of `quarter` (2026Q3) for `area` (default: the user's jurisdiction; an area outside it
    gives the jurisdiction, with a note), as a .docx; recorded as a draft (an earlier draft of the same quarter and
    area is set aside: only the latest can be issued) and audited, in one transaction."""
    require(user, "notify")
    today = today or clock.today()
    end = _quarter(store, quarter)
    quiet = progress or (lambda _f, _m: None)
    resolved = scope.resolve(store, user, {"area": area, "asof": end.isoformat()}, lambda f, m: quiet(f * 0.6, m))
    view = resolved.view
    before_end = periods.previous_quarter_end(end)
    before = None
    if before_end >= order_dates(store)[0]:
        before = scope.resolve(store, user, {"area": view.area, "asof": before_end.isoformat()},
                               lambda f, m: quiet(0.6 + f * 0.3, m)).view
    quiet(0.9, "撰写通报 / writing the document")
    deadline = CALENDAR.add(today, int(store.settings()["rectification_workdays"]))
    content = reader.content(view, before, periods.quarter_of(end), deadline)
    data = notice_doc.document(content, today)
    codes = sorted(content.institution_codes())
    digest = hashlib.sha256(data).hexdigest()
    n = S.notices
    with store.writing("casework") as conn:  # one draft per quarter and area, whoever drafts at once
        conn.execute(n.update().where(n.c.quarter == content.quarter, n.c.area_code == view.area,
                                      n.c.status == "draft").values(status="void", void_reason="被新的通报稿取代"))
        notice_id = conn.execute(sa.insert(n).values(
            quarter=content.quarter, area_code=view.area, as_of=end, deadline=deadline, institutions=",".join(codes),
            count_institutions=len(codes), sha256=digest, generated_by=user.username, generated_at=clock.now(),
            status="draft").returning(n.c.notice_id)).scalar_one()
        store.bump_meta(conn, "actions_version")  # the draft waits in the to-do lists of those who may issue it
        audit.record(store, user, "notice_generated", target=f"{content.quarter} {view.area}",
                     detail=f"#{notice_id} n={len(codes)} sha256={digest}", conn=conn)
    cache.changed(store)
    quiet(1.0, "完成 / done")
    return Generated(notice_id, content, data, resolved.notes)


def history(store, user: User) -> pd.DataFrame:
    """The notifications generated for areas of the user's jurisdiction, newest first (times as times)."""
    require(user, "notify")
    frame = store.read("SELECT n.notice_id, n.quarter, n.area_code, r.region_name AS area_name, n.count_institutions, "
                       "n.deadline, n.generated_by, n.generated_at, n.status, n.doc_number, n.issued_by, n.issued_at, "
                       "n.void_reason FROM notices n JOIN regions r ON r.region_code = n.area_code "
                       "ORDER BY n.notice_id DESC")
    for column in ("generated_at", "issued_at"):
        frame[column] = pd.to_datetime(frame[column])
    regions = store.regions()
    keep = [user.scope in area_chain(regions, code) for code in frame["area_code"]]
    return frame[pd.Series(keep, index=frame.index, dtype=bool)].reset_index(drop=True)


@dataclass(frozen=True)
class Issued:
    written: int  # 已通报 records written
    left_out: list[str]  # institutions listed that are no longer in the area (moved, or gone from the store)


def _notice(store, user: User, notice_id: int) -> tuple[dict, object]:
    """The notification and the View of its area for the user; refused (audited) outside the jurisdiction."""
    found = store.read("SELECT * FROM notices WHERE notice_id = :n", {"n": int(notice_id)})
    if found.empty:
        raise ValueError(f"通报 #{int(notice_id)} 不存在 / no notification #{int(notice_id)}")
    row = found.iloc[0].to_dict()
    view = scope.resolve(store, user, {"area": row["area_code"]}).view
    if view.area != row["area_code"]:
        audit.record(store, user, "access_denied", target=f"notice #{int(notice_id)}", outcome="denied",
                     detail="a notification outside the jurisdiction")
        raise AccessDenied("该通报不在您的管辖范围内 / this notification is outside your jurisdiction")
    return row, view


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _note(row: dict, number: str) -> str:
    return f"{row['quarter']} 季度通报 #{int(row['notice_id'])}（{number}）"


def confirm_issued(store, user: User, notice_id: int, doc_number: str, today: dt.date | None = None) -> Issued:
    """Record that a drafted notification was issued under `doc_number` (文号): it becomes issued and each
    institution it lists that is still in its area gets 已通报 today, with the document's rectification deadline, in
    one transaction with the audit entry. Refused: a notification outside the user's jurisdiction, one not a draft,
    a draft whose deadline has passed (draft it again), a quarter and area already issued, a number already used."""
    require(user, "issue")
    today = today or clock.today()
    number = _number_key(_one_line(doc_number, "文号", "document number", NUMBER_MAX))
    row, view = _notice(store, user, notice_id)
    if row["status"] == "issued":  # another officer confirmed it first
        raise ValueError(f"通报 #{int(notice_id)} 已确认印发（{row['doc_number']}） / notification #{int(notice_id)} "
                         f"is already issued ({row['doc_number']})")
    if row["status"] != "draft":
        raise ValueError(f"通报 #{int(notice_id)} 不是待印发的通报稿 / notification #{int(notice_id)} is not a draft")
    deadline = _day(row["deadline"])
    if deadline < today:
        raise ValueError(f"该通报稿的整改期限 {deadline} 已过，请重新生成 / the draft's rectification deadline {deadline} "
                         f"has passed: draft it again")
    codes = [c for c in str(row["institutions"] or "").split(",") if c]
    inside = view.institution_codes()
    left_out = [c for c in codes if c not in inside]
    held = set(store.read("SELECT subject_code FROM actions WHERE case_kind = 'ladder' AND status = :s "
                          "AND action_date = :d AND withdrawn_at IS NULL",
                          {"s": cases.NOTIFIED, "d": store.day(today)})["subject_code"])
    todo = [c for c in codes if c in inside and c not in held]  # notified today already (by hand): one record is enough

    def issue(conn) -> None:  # in the records' transaction, under the casework lock
        issued = conn.execute(sa.select(S.notices.c.doc_number, S.notices.c.quarter, S.notices.c.area_code)
                              .where(S.notices.c.status == "issued")).all()
        same = [d for d, q, a in issued if q == row["quarter"] and a == row["area_code"]]
        if same:
            raise ValueError(f"{row['quarter']} 的通报已印发（{same[0]}），如需更正请先撤销 / "
                             f"{row['quarter']} is already issued for this area: revoke that one first")
        if number in {_number_key(d) for d, _q, _a in issued}:
            raise ValueError(f"文号 {number} 已用于另一份通报 / the number {number} is already used")
        done = conn.execute(sa.update(S.notices).where(S.notices.c.notice_id == int(notice_id),
                                                       S.notices.c.status == "draft").values(
            status="issued", doc_number=number, issued_by=user.username, issued_at=clock.now()))
        if done.rowcount != 1:  # another officer confirmed it meanwhile
            raise ValueError(f"通报 #{int(notice_id)} 已确认印发 / notification #{int(notice_id)} is already issued")
        audit.record(store, user, "notice_issued", target=f"#{int(notice_id)} {row['quarter']} {row['area_code']}",
                     detail=f"{number}: {len(todo)} notified", conn=conn)

    written = actions.record_actions(view, {"ladder": todo}, cases.NOTIFIED, _note(row, number), today, deadline,
                                     permission="issue", also=issue)
    return Issued(written, left_out)


def _set_aside(conn, notice_id: int, status: str, why: str) -> None:
    """Mark a notification of `status` void with the reason, in `conn`; refused when it no longer has that status
    (another user's step came first)."""
    done = conn.execute(sa.update(S.notices).where(S.notices.c.notice_id == int(notice_id), S.notices.c.status == status)
                        .values(status="void", void_reason=why))
    if done.rowcount != 1:
        said = ("不是待印发的通报稿", "is not a draft") if status == "draft" else ("尚未印发", "is not issued")
        raise ValueError(f"通报 #{int(notice_id)} {said[0]} / notification #{int(notice_id)} {said[1]}")


def discard(store, user: User, notice_id: int, reason: str) -> None:
    """Set a draft aside (作废), with the reason; it stays in the list, marked."""
    require(user, "notify")
    why = _one_line(reason, "作废原因", "reason", 200)
    row, _view = _notice(store, user, notice_id)
    with store.writing("casework") as conn:
        _set_aside(conn, notice_id, "draft", why)
        store.bump_meta(conn, "actions_version")  # out of the to-do lists
        audit.record(store, user, "notice_void", target=f"#{int(notice_id)} {row['quarter']} {row['area_code']}",
                     detail=why, conn=conn)
    cache.changed(store)


def revoke(store, user: User, notice_id: int, reason: str) -> int:
    """Take back a confirmation made by mistake (撤销印发): the notification is set aside with the reason and the
    已通报 records it wrote are withdrawn (they stay in the cases' history, marked), in one transaction, audited.
    Returns how many records were withdrawn."""
    require(user, "issue")
    why = _one_line(reason, "撤销原因", "reason", 200)
    row, _view = _notice(store, user, notice_id)
    a = S.actions
    with store.writing("casework") as conn:
        _set_aside(conn, notice_id, "issued", why)
        withdrawn = conn.execute(a.update().where(
            a.c.case_kind == "ladder", a.c.status == cases.NOTIFIED, a.c.note == _note(row, row["doc_number"]),
            a.c.withdrawn_at.is_(None)).values(withdrawn_at=clock.now(), withdrawn_by=user.username,
                                               withdrawn_reason=f"撤销通报印发：{why}")).rowcount
        store.bump_meta(conn, "actions_version")
        audit.record(store, user, "notice_revoked", target=f"#{int(notice_id)} {row['quarter']} {row['area_code']}",
                     detail=f"{row['doc_number']}: {withdrawn} withdrawn: {why}", conn=conn)
    cache.changed(store)
    return withdrawn
