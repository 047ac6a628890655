"""Casework as the notice sets it: every problem is a case of one kind, which lands on the party the notice names;
the statuses an officer records on it; when its rectification period ends; and the measures ladder for institutions
(二（七）), worked out from the ladder flags and the recorded actions. No store access here.

Kinds of case (../shared/design/indicators.md, "Cases"):
- ladder: an institution holding ladder flags (its own purchasing), climbing 预警提示 -> 通报提醒 -> 约谈督导 ->
  与纪检监察部门联动处置;
- tier: an enterprise of tier B, C or D (报量风险提示, 减少约定采购量, 不接受参加集采); a 不配合 record counts toward
  its cooperation tier;
- explanation: an institution's report drop, purchase above the multiple or unreported purchase of one product, which
  it explains (作出说明); a report drop judged unreasonable is returned for re-filing (退回重新填报, 二（一）);
- area: a county or city with a supply imbalance, checked and dealt with (核查处置, 二（五）);
- complaint: a complaint answered late or not resolved in time, which the officers supervise (督导解决, 二（四）).
Any case may be reported to the provincial bureau (报送省医保局, 二（五）).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.policy.periods import next_quarter_end

PENDING = "待处理"  # no action recorded yet
ESCALATED = "已报送省局"
REMINDED, NOTIFIED, INTERVIEWED, RECTIFIED, REFERRED = "已提醒", "已通报", "已约谈", "已整改", "已移交纪检"
REQUESTED, EXPLAINED, ACCEPTED, RETURNED = "待说明", "已说明", "已采纳", "已退回重填"
RISK_WARNED, UNCOOPERATIVE = "已提示风险", "不配合"
CHECKED, SUPERVISED = "已核查", "已督导"


@dataclass(frozen=True)
class Kind:
    id: str
    subject: str  # institution | enterprise | area | complaint: what subject_code names
    zh: str
    en: str
    statuses: tuple[str, ...]  # what an officer may record, in the order a case usually goes
    closing: tuple[str, ...] = ()  # statuses that end the case (a later flag opens a new one)
    clause: str = ""


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("ladder", "institution", "梯度措施", "Measures ladder",
         (REMINDED, NOTIFIED, INTERVIEWED, REFERRED, RECTIFIED, ESCALATED), (RECTIFIED,), "二（七）"),
    Kind("tier", "enterprise", "企业分级措施", "Supplier tier measures", (RISK_WARNED, INTERVIEWED, UNCOOPERATIVE, ESCALATED),
         (), "二（七）"),
    Kind("explanation", "institution", "说明事项", "Explanations", (REQUESTED, EXPLAINED, ACCEPTED, RETURNED, ESCALATED),
         (ACCEPTED,), "二（一）、二（七）"),
    Kind("area", "area", "区域供应不平衡", "Area supply imbalance", (CHECKED, ESCALATED), (), "二（五）"),
    Kind("complaint", "complaint", "诉求督导", "Complaint supervision", (SUPERVISED, ESCALATED), (), "二（四）"),
)}

# Every status any case may hold (the store's check constraint), the old interview-list statuses first.
ALL_STATUSES: tuple[str, ...] = tuple(dict.fromkeys(
    (PENDING, REMINDED, NOTIFIED, INTERVIEWED, RECTIFIED, REFERRED) + sum((k.statuses for k in KINDS.values()), ())))
SUBJECT_TYPES = ("institution", "enterprise", "area", "complaint")

# Explanation flags a return for re-filing fits: only a report can be filed again (二（一）).
RETURNABLE = ("report_volume_drop",)

STEPS = {1: ("预警提示", "Warning reminder"), 2: ("通报提醒", "Notification"),
         3: ("约谈督导", "Interview and supervision"), 4: ("与纪检监察部门联动处置", "Referral to discipline inspection")}
STEP_DONE_BY = {1: REMINDED, 2: NOTIFIED, 3: INTERVIEWED, 4: REFERRED}  # the status that records each step's measure
# The measure an enterprise's supplier tier calls for (二（七）): in the next and the province's rounds, a risk warning
# at reporting, a reduced agreed volume, exclusion. A distributor bids for no volume; for it the same clause names the
# procurement credit evaluation (按规定对中选企业、配送企业落实招采信用评价制度).
TIER_MEASURES = {"B": "报量风险提示", "C": "减少约定采购量", "D": "不接受参加集采"}
DISTRIBUTOR_MEASURE = "落实招采信用评价"


def tier_measure(tier: str | None, role: str | None) -> str | None:
    """The measure a supplier tier calls for, as the enterprise's role takes it; None for tier A or no tier."""
    if tier not in TIER_MEASURES:
        return None
    return DISTRIBUTOR_MEASURE if role == "配送企业" else TIER_MEASURES[tier]


LADDER_MEASURES = (REMINDED, NOTIFIED, INTERVIEWED)  # run to a deadline, then the figures say whether they worked


def default_due(kind: str, status: str, day: dt.date, settings, calendar) -> dt.date | None:
    """When the period a recorded status opens ends, if the officer set no deadline: on the ladder, a reminder,
    notification or interview runs to the quarter's end (二（七） reviews at least quarterly); an explanation requested
    is due after `explanation_workdays` working days (the notice names no number: a project default). Other
    statuses run to no deadline unless the officer sets one."""
    if kind == "ladder" and status in LADDER_MEASURES:
        return next_quarter_end(day)
    if kind == "explanation" and status == REQUESTED:
        return calendar.add(day, int(settings["explanation_workdays"]))
    return None


def episode(events: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The events of one case since it last closed (rows sorted by date, then by the order recorded)."""
    events = events.sort_values(["action_date", "action_id"], kind="stable")
    closing = events["status"].isin(KINDS[kind].closing).to_numpy()
    if closing.any():
        events = events.iloc[int(closing.nonzero()[0][-1]) + 1:]
    return events


def _due(row, kind: str, settings, calendar) -> dt.date | None:
    deadline = row["deadline"]
    if isinstance(deadline, dt.date) and not pd.isna(deadline):
        return deadline
    return default_due(kind, row["status"], row["action_date"], settings, calendar)


@dataclass(frozen=True)
class CaseState:
    status: str = PENDING  # the latest status recorded, or 待处理
    status_date: dt.date | None = None
    due: dt.date | None = None  # when the period the latest measure opened ends
    escalated: bool = False  # reported to the provincial bureau since the case last closed
    closed: bool = False  # its latest status ends it (已采纳; 已整改 recorded on or after T)
    note: str = ""  # the latest note
    explanation: str = ""  # the text of the latest 已说明 (an institution's explanation)


def is_closed(last_status: str, last_date: dt.date, kind: str, as_of: dt.date) -> bool:
    """Whether a case whose latest status is this is closed for the figures at T. An explanation accepted stays
    closed; an institution recorded as rectified (已整改) is closed until figures after that day show it still
    holds a ladder flag, which opens the ladder again."""
    if last_status not in KINDS[kind].closing:
        return False
    return kind != "ladder" or last_date >= as_of


def state(events: pd.DataFrame, kind: str, as_of: dt.date, settings, calendar) -> CaseState:
    """A case's state from its events (any order)."""
    events = events.sort_values(["action_date", "action_id"], kind="stable")
    if events.empty:
        return CaseState()
    last = events.iloc[-1]
    explained = events.loc[events["status"] == EXPLAINED, "note"]
    explanation = str(explained.iloc[-1]) if len(explained) else ""
    if is_closed(last["status"], last["action_date"], kind, as_of):
        return CaseState(last["status"], last["action_date"], None, False, True, last["note"], explanation)
    ep = episode(events, kind)
    if ep.empty:  # closed before T, open again
        return CaseState()
    last = ep.iloc[-1]
    measures = ep[ep["status"] != ESCALATED]
    due = _due(measures.iloc[-1], kind, settings, calendar) if len(measures) else None
    return CaseState(last["status"], last["action_date"], due, bool((ep["status"] == ESCALATED).any()), False,
                     last["note"], explanation)


@dataclass(frozen=True)
class Step:
    step: int  # 1..4
    done: bool  # the step's measure is recorded
    due: dt.date | None  # its rectification deadline, when recorded


def ladder_step(events: pd.DataFrame, as_of: dt.date, prominent: bool, settings, calendar, held) -> Step:
    """The measures ladder of one institution holding a ladder flag at T (二（七）, indicators.md):
    1 预警提示 while it holds one; 2 通报提醒 when it held one at the last quarter end reached (T itself on a
    quarter's last day), or is red-flagged, or its score reaches `notification_score` (`prominent` says whether any
    holds); 3 约谈督导 once a notification is recorded and at its deadline (or the quarter's end when none was set)
    it still holds a ladder flag; 4 纪检监察联动 once an interview is recorded and at its deadline it still does.
    `held(day)` says whether it held a ladder flag at the figures' first date on or after that day (T, the last
    month's end or the last quarter's end): a deadline counts once T has reached it. A measure whose deadline passed with the institution clean worked: what came before it
    no longer counts, as after 已整改. A referral recorded is the last step."""
    ep = episode(events, "ladder")
    dues = [(_due(r, "ladder", settings, calendar) if r["status"] in LADDER_MEASURES else None) for _, r in ep.iterrows()]
    worked = [i for i, due in enumerate(dues) if due is not None and due <= as_of and not held(due)]
    if worked:
        ep, dues = ep.iloc[worked[-1] + 1:], dues[worked[-1] + 1:]
    status = ep["status"].tolist()
    if REFERRED in status:
        return Step(4, True, None)
    pending = {s: [d for st, d in zip(status, dues) if st == s] for s in (REMINDED, NOTIFIED, INTERVIEWED)}
    if any(d <= as_of for d in pending[INTERVIEWED]):
        return Step(4, False, None)
    if pending[INTERVIEWED]:
        return Step(3, True, min(pending[INTERVIEWED]))
    if any(d <= as_of for d in pending[NOTIFIED]):
        return Step(3, False, None)
    if pending[NOTIFIED]:
        return Step(2, True, min(pending[NOTIFIED]))
    if prominent:
        return Step(2, False, None)
    reminders = [d for d in pending[REMINDED] if d > as_of]
    return Step(1, bool(reminders), min(reminders) if reminders else None)


def worst_tier(*tiers) -> str | None:
    """The worst of the tiers given ("D" is the worst letter), or None when none is."""
    return max((t for t in tiers if isinstance(t, str)), default=None)


def cooperation_tier(records: int, settings) -> str | None:
    """The tier recorded non-cooperation gives (约谈督导整改不及时、不解决、不配合, 二（七）): none without a record; B, C
    or D from `cooperation_tier_b`, `_c`, `_d` records in the period (project defaults 1, 2, 3)."""
    if not records:
        return None
    for letter in ("D", "C", "B"):
        if records >= settings[f"cooperation_tier_{letter.lower()}"]:
            return letter
    return "A"
