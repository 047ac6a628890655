"""Recorded actions on cases: an officer records a measure taken (提醒, 通报, 约谈, 要求说明, 核查, 督导, 报送省局 ...) on
a case of the jurisdiction, with who and when, audited; and the interview list exported as a workbook."""
from __future__ import annotations

import datetime as dt
import unicodedata

import sqlalchemy as sa

from core.access import audit, exports
from core.access.roles import AccessDenied, require, User
from core.policy import clock, periods
from core.policy import cases
from core.policy.indicators import FLAG_BY_ID
from core.policy.workdays import DEFAULT as CALENDAR
from core.present.i18n import t
from core.read.cases import history as case_history
from core.read.interviews import evidence, interview_list, LIST_COLUMNS
from core.refresh import marts
from core.store import cache
from core.store import schema as S
from core.store.view import View


def _actor(view: View) -> User:
    if view.user is None:
        raise AccessDenied("未登录 / not signed in")
    return view.user


Key = tuple[str, str, str]  # a case: subject code, flag id, detail code
NOTE_MAX = 2000  # characters of a note or an explanation
EARLIEST = dt.date(2000, 1, 1)


def _key(subject) -> Key:
    """A case's key from a subject code or (code, flag_id, detail_code); anything else is refused."""
    parts = (subject,) if isinstance(subject, str) else tuple(subject) if isinstance(subject, (tuple, list)) else ()
    if not 1 <= len(parts) <= 3 or not all(isinstance(p, str) or p is None for p in parts) or not parts[0]:
        raise ValueError(f"案件编码无效：{str(subject)[:40]} / not a case: {str(subject)[:40]}")
    code, flag_id, detail = (parts + ("", ""))[:3]
    return code, flag_id or "", detail or ""


def _day(value, what_zh: str, what_en: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{what_zh}应为日期：{str(value)[:20]} / the {what_en} is a date: {str(value)[:20]}")
    if value < EARLIEST:
        raise ValueError(f"{what_zh}不能早于 {EARLIEST} / the {what_en} cannot be before {EARLIEST}")
    return value


def _check(store, kind: str, keys: list[Key], status: str, note: str, action_date, deadline) -> None:
    """Refuse, with a message in Chinese and English, an action that does not fit its case."""
    if kind not in cases.KINDS:
        raise ValueError(f"未知案件类型 / unknown kind of case: {str(kind)[:20]}")
    spec = cases.KINDS[kind]
    if status not in spec.statuses:
        raise ValueError(f"“{spec.zh}”不能记录状态“{str(status)[:10]}”，可记录：{'、'.join(spec.statuses)} / "
                         f"a {spec.en.lower()} case does not take the status {str(status)[:10]}")
    _day(action_date, "处理日期", "action's date")
    if action_date > clock.today():
        raise ValueError(f"处理日期不能晚于今天（{clock.today()}） / the action's date cannot be later than today")
    if deadline is not None and _day(deadline, "期限", "deadline") < action_date:
        raise ValueError("整改期限不能早于处理日期 / the deadline cannot be earlier than the action's date")
    if len(note) > NOTE_MAX:
        raise ValueError(f"备注最多 {NOTE_MAX} 个字 / a note holds at most {NOTE_MAX} characters")
    if status == cases.EXPLAINED and not note.strip():
        raise ValueError("记录“已说明”须填写医疗机构的说明内容 / an explanation received needs its text")
    group = {"explanation": "explanation", "area": "area"}.get(kind)
    products = set(store.read("SELECT product_code FROM products")["product_code"]) if kind == "explanation" else set()
    for code, flag_id, detail in keys:
        if len(code) > 40 or len(detail) > 120:
            raise ValueError(f"案件编码过长：{code[:40]} / a case's code is too long")
        if group is None and (flag_id or detail):
            raise ValueError(f"“{spec.zh}”不按预警或产品区分 / a {spec.en.lower()} case names no flag or product")
        if group is not None and (flag_id not in FLAG_BY_ID or FLAG_BY_ID[flag_id].group != group):
            raise ValueError(f"{code}：“{flag_id[:40]}”不是{spec.zh}的预警 / not a flag of this kind of case")
        if kind == "area" and detail:
            raise ValueError(f"“{spec.zh}”不按产品区分 / an area case names no product")
        if kind == "explanation" and detail not in products:
            raise ValueError(f"{code}：产品 {detail[:40]} 不存在 / no product has the code {detail[:40]}")
        if status == cases.RETURNED and flag_id not in cases.RETURNABLE:
            raise ValueError("只有报量可退回重新填报 / only a report can be returned for re-filing")


def _inside(view: View, subject: str) -> set[str]:
    """The subjects of that type inside the whole jurisdiction of the view's user, by the figures current now (the
    view's own may have been dropped meanwhile by a change elsewhere), whatever area the view looks at."""
    whole = View.of(view.store, marts.ensure_default(view.store), view.scope, user=view.user)
    return {"institution": whole.institution_codes, "enterprise": whole.enterprise_codes, "area": whole.region_codes,
            "complaint": whole.complaint_ids}[subject]()


def record_action(view: View, kind: str, subjects: list, status: str, note: str, action_date: dt.date,
                  deadline: dt.date | None = None, recompute=None) -> int:
    """Record one action on each case of one kind (a subject code, or (code, flag_id, detail_code) for an
    explanation or an area); see record_actions."""
    return record_actions(view, {kind: subjects}, status, note, action_date, deadline, recompute=recompute)


def record_actions(view: View, chosen: dict[str, list], status: str, note: str, action_date: dt.date,
                   deadline: dt.date | None = None, permission: str = "record", also=None, recompute=None) -> int:
    """Record one action on each chosen case (kind -> its cases) in one transaction: all or none. The user the view
    was made for records it, only a role that records actions may, and only on cases inside the view's scope; with
    who and when, audited. A status a kind of case does not take, a date after today, a deadline before the date, an
    explanation without its text, or a record the case already holds (the same status on the same day: a second
    click) is refused with the reason. Return how many were written. A non-cooperation record (不配合) changes the
    enterprise's tier, so the figures are computed again: before this returns, or by `recompute(store)` (a page
    starts a process for it: core.refresh.worker.start). `permission`: the one the role needs (record; issue for the
    已通报 records of a notification issued); `also(conn)` runs in the same transaction."""
    actor = _actor(view)
    require(actor, permission)
    note = audit.free_text(note)
    chosen = {kind: list(dict.fromkeys(_key(s) for s in subjects)) for kind, subjects in chosen.items()}
    for kind, keys in chosen.items():
        _check(view.store, kind, keys, status, note, action_date, deadline)
    for kind, keys in chosen.items():
        allowed = _inside(view, cases.KINDS[kind].subject)
        outside = [code for code, _f, _d in keys if code not in allowed]
        if outside:
            audit.record(view.store, actor, "access_denied", target=",".join(outside)[:200], outcome="denied",
                         detail=f"record action outside scope ({kind})")
            raise AccessDenied(f"不在管辖范围内 / outside your jurisdiction: {', '.join(outside)[:200]}")
    return _write(view, actor, chosen, status, note, action_date, deadline, also, recompute)


def _write(view: View, actor: User, chosen: dict[str, list[Key]], status: str, note: str, action_date: dt.date,
           deadline: dt.date | None, also=None, recompute=None, logged_as: str = "action_recorded") -> int:
    """Write checked actions in one transaction, refusing a record the case already holds; audited (as `logged_as`)."""
    now = clock.now()
    rows = [{"case_kind": kind, "subject_code": code, "flag_id": flag_id, "detail_code": detail,
             "quarter": periods.quarter_of(action_date), "status": status, "note": note, "action_date": action_date,
             "deadline": deadline, "recorded_by": actor.username, "recorded_at": now}
            for kind, keys in chosen.items() for code, flag_id, detail in keys]
    if not rows and also is None:
        return 0
    with view.store.writing("casework") as conn:  # a record checked and written in one step, whoever clicks at once
        if also is not None:
            also(conn)
        if rows:
            held = [r for r in rows if conn.execute(sa.select(sa.func.count()).select_from(S.actions).where(
                S.actions.c.case_kind == r["case_kind"], S.actions.c.subject_code == r["subject_code"],
                S.actions.c.flag_id == r["flag_id"], S.actions.c.detail_code == r["detail_code"],
                S.actions.c.status == status, S.actions.c.action_date == action_date,
                S.actions.c.withdrawn_at.is_(None))).scalar()]
            if held:
                raise ValueError(f"已有相同记录（同一案件、状态和日期）：{held[0]['subject_code']} / this record is already "
                                 f"there (same case, status and date)")
            conn.execute(sa.insert(S.actions), rows)
            if status == cases.UNCOOPERATIVE:
                view.store.bump_data_version(conn)  # the enterprise's cooperation tier: the figures are made again
        view.store.bump_meta(conn, "actions_version")  # lists and scorecards show the new state (and `also`'s) at once
    cache.changed(view.store)  # now that it is committed (a read meanwhile may have kept the older version)
    if not rows:
        return 0
    target = ",".join(":".join(p for p in (r["subject_code"], r["flag_id"], r["detail_code"]) if p) for r in rows)
    audit.record(view.store, actor, logged_as, target=target[:200],
                 detail=f"{'/'.join(chosen)} {status} {action_date}" + (f" 期限 {deadline}" if deadline else "")
                 + f": {note}")
    if status == cases.UNCOOPERATIVE:
        (recompute or marts.ensure_default)(view.store)
    return len(rows)


def explain(view: View, flag_id: str, product_code: str, text: str, today: dt.date | None = None) -> None:
    """An institution's own explanation (作出说明, 二（一）, 二（七）) of one of its explanation flags: recorded on the
    case as 已说明 with its text, by its account, today; the officers then accept it or return the report."""
    actor = _actor(view)
    require(actor, "explain")
    if view.entity is None or view.entity[0] != "institution":
        raise AccessDenied("只有医疗机构本单位账户可作出说明 / only the institution's own account explains")
    today = today or clock.today()
    text = "".join(ch for ch in audit.free_text(text) if unicodedata.category(ch) != "Cf").strip()
    key = (view.entity[1], str(flag_id), str(product_code))
    _check(view.store, "explanation", [key], cases.EXPLAINED, text, today, None)
    so_far = case_history(view.store, "explanation", *key)
    status = cases.state(so_far, "explanation", today, view.store.settings(), CALENDAR).status if len(so_far) \
        else cases.PENDING
    if status not in (cases.PENDING, cases.REQUESTED, cases.RETURNED):
        raise ValueError(f"该事项当前为“{status}”，无需再作说明 / this item is {status}: nothing to explain")
    held = view.read("SELECT COUNT(*) AS n FROM mart_flags WHERE view_id = :v AND level = 'institution' "
                     "AND subject_code = :entity AND flag_id = :f AND detail_code = :d",
                     {"f": key[1], "d": key[2]}, entity_ok="institution")["n"].iloc[0]
    if not held:
        raise ValueError("本机构没有这项需说明的预警 / no such flag of yours to explain")
    _write(view, actor, {"explanation": [key]}, cases.EXPLAINED, text, today, None, logged_as="explanation_given")


def withdraw(view: View, action_id: int, reason: str, recompute=None) -> None:
    """Withdraw a record made by mistake: only the officer who recorded it, on a case still inside the officer's
    jurisdiction (an officer moved to another area no longer acts on the old one's cases), with a reason; it stays
    in the case's history, marked withdrawn, and no longer counts (audited). The figures of a non-cooperation record
    withdrawn are computed again as `record_actions` does."""
    actor = _actor(view)
    require(actor, "record")
    reason = audit.free_text(reason).strip()
    if not reason or len(reason) > NOTE_MAX:
        raise ValueError(f"请填写撤销原因（最多 {NOTE_MAX} 字） / give the reason (at most {NOTE_MAX} characters)")
    with view.store.engine.connect() as conn:
        row = conn.execute(sa.select(S.actions).where(S.actions.c.action_id == int(action_id))).mappings().first()
    if row is None or row["recorded_by"] != actor.username:
        raise AccessDenied("只能撤销本人的记录 / only the officer who recorded it may withdraw it")
    if row["subject_code"] not in _inside(view, cases.KINDS[row["case_kind"]].subject):  # moved to another area since
        audit.record(view.store, actor, "access_denied", target=str(row["subject_code"])[:200], outcome="denied",
                     detail=f"withdraw #{action_id} outside scope ({row['case_kind']})")
        raise AccessDenied(f"不在管辖范围内 / outside your jurisdiction: {row['subject_code']}")
    with view.store.writing("casework") as conn:
        row = conn.execute(sa.select(S.actions).where(S.actions.c.action_id == int(action_id))).mappings().first()
        if row["withdrawn_at"] is not None:
            raise ValueError("该记录已撤销 / already withdrawn")
        conn.execute(S.actions.update().where(S.actions.c.action_id == int(action_id),
                                              S.actions.c.withdrawn_at.is_(None)).values(
            withdrawn_at=clock.now(), withdrawn_by=actor.username, withdrawn_reason=reason))
        view.store.bump_meta(conn, "actions_version")
        if row["status"] == cases.UNCOOPERATIVE:
            view.store.bump_data_version(conn)
    cache.changed(view.store)
    audit.record(view.store, actor, "action_withdrawn", target=str(row["subject_code"])[:200],
                 detail=f"#{action_id} {row['case_kind']} {row['status']} {row['action_date']}: {reason}")
    if row["status"] == cases.UNCOOPERATIVE:
        (recompute or marts.ensure_default)(view.store)


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
