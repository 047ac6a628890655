"""Recorded actions on the interview list: an officer records a measure taken (提醒, 通报, 约谈 ...) for
institutions or enterprises of the jurisdiction, with who and when, audited; and the list exported as a workbook."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from core.access import audit, exports
from core.access.roles import AccessDenied, require, User
from core.policy import clock, periods
from core.policy.ladder import STATUSES
from core.present.i18n import t
from core.read.interviews import evidence, interview_list, LIST_COLUMNS
from core.store import schema as S
from core.store.view import View


def _actor(view: View) -> User:
    if view.user is None:
        raise AccessDenied("未登录 / not signed in")
    return view.user


def record_action(view: View, subject_type: str, subject_codes: list[str], status: str, note: str,
                  action_date: dt.date) -> int:
    """Record one action for each subject (with who and when): the user the view was made for records it, and
    only a role that records actions may, only for subjects inside the view's scope; return how many were
    written."""
    actor = _actor(view)
    require(actor, "record")
    if status not in STATUSES:
        raise ValueError(f"未知状态 / unknown status: {status}")
    if subject_type not in ("institution", "enterprise"):
        raise ValueError(f"未知对象类型 / unknown subject type: {subject_type}")
    inside = view.with_area(view.scope)  # the whole jurisdiction, whatever area the view looks at
    allowed = set(inside.read(f"SELECT i.institution_code AS code FROM institutions i WHERE {inside.institutions_in_area()}")
                  ["code"]) if subject_type == "institution" else set(
        inside.read(f"SELECT enterprise_code AS code FROM enterprises WHERE enterprise_code IN {inside.enterprises_in_area()}")
        ["code"])
    outside = [c for c in subject_codes if c not in allowed]
    if outside:
        audit.record(view.store, actor, "access_denied", target=",".join(outside)[:200], outcome="denied",
                     detail="record action outside scope")
        raise AccessDenied(f"不在管辖范围内 / outside your jurisdiction: {', '.join(outside)}")
    now = clock.now()
    rows = [{"subject_type": subject_type, "subject_code": code, "quarter": periods.quarter_of(action_date),
             "status": status, "note": note, "action_date": action_date, "recorded_by": actor.username,
             "recorded_at": now} for code in subject_codes]
    if rows:
        with view.store.begin() as conn:
            conn.execute(sa.insert(S.actions), rows)
            view.store.bump_meta(conn, "actions_version")  # lists and scorecards show the new status at once
        audit.record(view.store, actor, "action_recorded", target=",".join(subject_codes)[:200],
                     detail=f"{subject_type} {status} {action_date}: {note}")
    return len(rows)


LIST_HEADERS = {c: t(f"iv.col.{c}") for c in LIST_COLUMNS}  # the export's headers are Chinese
EVIDENCE_HEADERS = {"subject_code": "编码", "subject_name": "名称", "flag_name": "预警事项", "severity_zh": "等级",
                    "detail_code": "涉及产品/订单/诉求", "value_text": "实际值", "threshold_text": "阈值",
                    "clause": "通知条款"}


def export(view: View) -> bytes:
    """The interview list as a formatted workbook: the list, the evidence per flag, who exported it (the view's
    user) and from which scope (the export is audited)."""
    user = _actor(view)
    require(user, "export")  # before the list is computed
    listed = interview_list(view)
    shown = listed.assign(subject_type=listed["subject_type"].map({"institution": "医疗机构", "enterprise": "企业"}))
    return exports.sheets(view.store, user, f"约谈名单 {view.area_name}",
                          [("约谈名单", shown, LIST_HEADERS), ("预警依据", evidence(view, listed), EVIDENCE_HEADERS)],
                          ("区域", view.area_name), {"统计截止日": view.as_of.isoformat(),
                                                     "产品类别": view.category or "全部", "依据": "鲁医保发〔2023〕14号"})
