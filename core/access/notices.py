"""The quarterly notification (通报, 二（七）) for a user: generated for a quarter and an area of the user's jurisdiction
(the figures of the quarter's end against the quarter before), recorded and audited; an officer then confirms it was
issued, with its document number, and only then do the institutions it lists get their 已通报 record, with the
rectification deadline the document states.
"""
from __future__ import annotations

import datetime as dt
import hashlib
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
    if str(quarter).strip().upper().replace(" ", "") not in quarters(store):
        dates = order_dates(store)
        span = f"{dates[0]} 至 {dates[1]}" if dates else "（无订单）"
        raise ValueError(f"{str(quarter)[:10]} 尚未结束或不在数据范围（{span}）内 / {str(quarter)[:10]} has not ended "
                         f"or lies outside the figures ({span.replace(' 至 ', ' to ')})")
    return end


def generate(store, user: User, quarter: str, area: str | None = None, today: dt.date | None = None,
             progress: Callable[[float, str], None] | None = None) -> Generated:
    """The notification of `quarter` (2026Q3) for `area` (default: the user's jurisdiction; an area outside it
    gives the jurisdiction, with a note), as a .docx; recorded as a draft and audited."""
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
    with store.begin() as conn:
        notice_id = conn.execute(sa.insert(S.notices).values(
            quarter=content.quarter, area_code=view.area, as_of=end, deadline=deadline, institutions=",".join(codes),
            count_institutions=len(codes), sha256=digest, generated_by=user.username, generated_at=clock.now(),
            status="draft").returning(S.notices.c.notice_id)).scalar_one()
        audit.record(store, user, "notice_generated", target=f"{content.quarter} {view.area}",
                     detail=f"#{notice_id} n={len(codes)} sha256={digest}", conn=conn)
    quiet(1.0, "完成 / done")
    return Generated(notice_id, content, data, resolved.notes)


def history(store, user: User) -> pd.DataFrame:
    """The notifications generated for areas of the user's jurisdiction, newest first."""
    require(user, "notify")
    frame = store.read("SELECT n.notice_id, n.quarter, n.area_code, r.region_name AS area_name, n.count_institutions, "
                       "n.deadline, n.generated_by, n.generated_at, n.status, n.doc_number, n.issued_by, n.issued_at "
                       "FROM notices n JOIN regions r ON r.region_code = n.area_code ORDER BY n.notice_id DESC")
    regions = store.regions()
    keep = [user.scope in area_chain(regions, code) for code in frame["area_code"]]
    return frame[pd.Series(keep, index=frame.index, dtype=bool)].reset_index(drop=True)


def confirm_issued(store, user: User, notice_id: int, doc_number: str, today: dt.date | None = None) -> int:
    """Record that a generated notification was issued under `doc_number` (文号): the notification becomes issued and
    each institution it lists gets 已通报 today, with the document's rectification deadline, in one transaction;
    a notification already issued, or of an area outside the user's jurisdiction, is refused. Returns the records
    written."""
    require(user, "issue")
    today = today or clock.today()
    number = actions._CONTROL.sub("", str(doc_number or "")).strip()
    if not number or len(number) > NUMBER_MAX:
        raise ValueError(f"请填写文号（1 至 {NUMBER_MAX} 个字符） / give the document number (1 to {NUMBER_MAX} characters)")
    found = store.read("SELECT * FROM notices WHERE notice_id = :n", {"n": int(notice_id)})
    if found.empty:
        raise ValueError(f"通报 #{int(notice_id)} 不存在 / no notification #{int(notice_id)}")
    row = found.iloc[0]
    view = scope.resolve(store, user, {"area": row["area_code"]}).view
    if view.area != row["area_code"]:
        audit.record(store, user, "access_denied", target=f"notice #{int(notice_id)}", outcome="denied",
                     detail="confirm a notification outside the jurisdiction")
        raise AccessDenied("该通报不在您的管辖范围内 / this notification is outside your jurisdiction")
    if row["status"] != "draft":
        raise ValueError(f"通报 #{int(notice_id)} 已确认印发 / notification #{int(notice_id)} is already issued")
    deadline = row["deadline"] if isinstance(row["deadline"], dt.date) else dt.date.fromisoformat(str(row["deadline"])[:10])
    codes = [c for c in str(row["institutions"] or "").split(",") if c]
    held = set(store.read("SELECT subject_code FROM actions WHERE case_kind = 'ladder' AND status = :s "
                          "AND action_date = :d AND withdrawn_at IS NULL",
                          {"s": cases.NOTIFIED, "d": today if store.is_postgres else today.isoformat()})["subject_code"])
    todo = [c for c in codes if c not in held]  # notified today already (by hand): one record is enough

    def issue(conn) -> None:
        done = conn.execute(sa.update(S.notices).where(S.notices.c.notice_id == int(notice_id),
                                                       S.notices.c.status == "draft").values(
            status="issued", doc_number=number, issued_by=user.username, issued_at=clock.now()))
        if done.rowcount != 1:  # another officer confirmed it meanwhile
            raise ValueError(f"通报 #{int(notice_id)} 已确认印发 / notification #{int(notice_id)} is already issued")

    written = actions.record_actions(view, {"ladder": todo}, cases.NOTIFIED,
                                     f"{row['quarter']} 季度通报（{number}）", today, deadline, permission="issue",
                                     also=issue)
    audit.record(store, user, "notice_issued", target=f"#{int(notice_id)} {row['quarter']} {row['area_code']}",
                 detail=f"{number}: {written} notified")
    return written
