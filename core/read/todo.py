"""What waits for a user (待办), in the user's scope, each item with the page that deals with it; an item goes as
soon as what it asks for is done, because every list here is read live from the cases, complaints and figures:

- officers (and the province's leadership and analysts): cases past their deadline, cases escalated from below
  (报送省医保局), institutions whose ladder step (通报提醒 and above) waits for its measure, institutions red-flagged
  since the user's last sign-in that no one has acted on yet, complaints late and not yet supervised, explanations to
  request, explanations past their due date and explanations received awaiting a judgement;
- an enterprise: complaints to answer or resolve, with the hours left, and institutions it supplies below the
  delivery-rate threshold;
- an institution: explanations requested of it (or a report returned for re-filing), those it may give before it
  is asked, complaints whose resolution it should confirm, its step on the measures ladder.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from core.policy import cases as C
from core.policy import clock
from core.policy.indicators import rate
from core.present.i18n import percent_text, t, tn
from core.read import cases, docking
from core.store.cache import cached
from core.store.view import area_chain, View

COLUMNS = ["item", "key", "subject", "where", "detail", "due", "left", "page", "params"]


def _hours_left(due: dt.date | None, now: dt.datetime) -> float | None:
    """Hours from now to the end of the due day (negative once it has passed)."""
    if due is None:
        return None
    return ((dt.datetime.combine(due + dt.timedelta(days=1), dt.time()) - now).total_seconds()) / 3600


def _left_text(hours: float | None, lang: str) -> str:
    if hours is None:
        return ""
    if hours < 0:
        late = -hours  # counted up: a minute late is an hour late
        return tn("todo.late_days", lang, n=math.ceil(late / 24)) if late > 24 else \
            tn("todo.late_hours", lang, n=math.ceil(late))
    return tn("todo.hours_left", lang, n=int(hours)) if hours < 48 else tn("todo.days_left", lang, n=int(hours // 24))


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _from_cases(frame: pd.DataFrame, item: str, lang: str, now: dt.datetime, page: str = "cases") -> list[dict]:
    where = frame["area_name"] if "area_name" in frame else pd.Series("", index=frame.index)
    return [{"item": item, "key": f"{k}:{s}:{f}:{d}", "subject": name, "where": w if isinstance(w, str) else "",
             "detail": problem, "due": due, "left": _left_text(_hours_left(due, now), lang), "page": page, "params": {}}
            for k, s, f, d, name, w, problem, due in zip(frame["case_kind"], frame["subject_code"], frame["flag_id"],
                                                         frame["detail_code"], frame["subject_name"], where,
                                                         frame["problem"], frame["due"])]


def matters(found: pd.DataFrame) -> int:
    """How many things wait, each once: a red-flagged institution listed as new and as a measure to take (its ladder
    case) is one matter, as is an overdue case listed under its kind too."""
    return int(found["key"].nunique())


@cached
def new_red_flags(view: View, since: dt.datetime | None, lang: str = "zh") -> pd.DataFrame:
    """Institutions of the area red-flagged (at the latest figures) after `since` (the user's last sign-in; every
    one when None) whose ladder case has no action recorded since it last closed (nobody has dealt with it yet)."""
    frame = view.read(f"""SELECT r.institution_code, r.since_at, i.institution_name, k.region_name AS county_name
                          FROM red_flags_since r JOIN institutions i ON i.institution_code = r.institution_code
                          JOIN regions k ON k.region_code = i.county_code
                          WHERE {view.institutions_in_area()}
                          ORDER BY r.since_at DESC, r.institution_code""")
    frame["since_at"] = pd.to_datetime(frame["since_at"])
    if since is not None:
        frame = frame[frame["since_at"] > pd.Timestamp(since)]
    ladder = cases.ladder_cases(view, lang)
    untouched = set(ladder.loc[ladder["status"] == C.PENDING, "subject_code"])
    return frame[frame["institution_code"].isin(untouched)].reset_index(drop=True)


def _escalated_from_below(view: View, open_cases: pd.DataFrame) -> pd.DataFrame:
    """Open cases whose latest status is 报送省局, escalated by an account of a smaller area than the view's scope."""
    up = open_cases[open_cases["status"] == C.ESCALATED]
    if up.empty:
        return up
    who = view.store.read("SELECT a.case_kind, a.subject_code, a.flag_id, a.detail_code, u.area_code "
                          "FROM actions a LEFT JOIN users u ON u.username = a.recorded_by "
                          "WHERE a.status = :s AND a.withdrawn_at IS NULL ORDER BY a.action_id", {"s": C.ESCALATED})
    by = {(k, s, f, d): area for k, s, f, d, area in zip(who["case_kind"], who["subject_code"], who["flag_id"],
                                                         who["detail_code"], who["area_code"])}  # the latest wins
    regions = view.store.regions()

    def below(key) -> bool:
        area = by.get(key)
        return isinstance(area, str) and area != view.scope and view.scope in area_chain(regions, area)

    keep = [below(key) for key in zip(up["case_kind"], up["subject_code"], up["flag_id"], up["detail_code"])]
    return up[pd.Series(keep, index=up.index, dtype=bool)]


def officer_items(view: View, lang: str = "zh", since: dt.datetime | None = None,
                  now: dt.datetime | None = None) -> pd.DataFrame:
    now = now or clock.now()
    everything = cases.open_cases(view, lang)
    rows: list[dict] = []
    overdue = everything[everything["overdue"].astype(bool) & (everything["case_kind"] != "explanation")]
    rows += _from_cases(overdue, "overdue", lang, now)
    ladder = cases.ladder_cases(view, lang)
    to_take = ladder[(ladder["step"] >= 2) & ~ladder["done"].astype(bool)]
    rows += _from_cases(to_take.assign(problem=[f"{m} · {f}" for m, f in zip(to_take["measure"], to_take["flags"])]),
                        "measure_due", lang, now)
    for row in new_red_flags(view, since, lang).itertuples(index=False):
        rows.append({"item": "new_red", "key": f"ladder:{row.institution_code}::", "subject": row.institution_name,
                     "where": row.county_name, "detail": t("todo.red_since", lang).format(at=str(row.since_at)[:16]),
                     "due": None, "left": "",
                     "page": "institution", "params": {"code": row.institution_code}})
    late = cases.complaint_cases(view, lang)
    late = late[late["status"] == C.PENDING]
    rows += _from_cases(late, "complaint_late", lang, now)
    explained = cases.explanation_cases(view, lang)
    rows += _from_cases(explained[explained["status"] == C.PENDING], "explanation_to_request", lang, now)
    missing = explained[explained["status"].isin([C.REQUESTED, C.RETURNED]) & explained["overdue"].astype(bool)]
    rows += _from_cases(missing, "explanation_missing", lang, now)
    rows += _from_cases(explained[explained["status"] == C.EXPLAINED], "explanation_received", lang, now)
    rows += _from_cases(_escalated_from_below(view, everything), "escalated", lang, now)
    if view.user is not None and view.user.can("issue"):
        rows += _drafts(view, lang, now)
    return _frame(rows)


def _drafts(view: View, lang: str, now: dt.datetime) -> list[dict]:
    """Notifications of the jurisdiction drafted and not yet confirmed issued (nor set aside)."""
    frame = view.store.read("SELECT n.notice_id, n.quarter, n.area_code, r.region_name, n.count_institutions, n.deadline "
                            "FROM notices n JOIN regions r ON r.region_code = n.area_code WHERE n.status = 'draft' "
                            "ORDER BY n.notice_id")
    regions = view.store.regions()
    out = []
    for r in frame.itertuples(index=False):
        if view.scope not in area_chain(regions, r.area_code):
            continue
        due = r.deadline if isinstance(r.deadline, dt.date) else dt.date.fromisoformat(str(r.deadline)[:10])
        out.append({"item": "notice_draft", "key": f"notice:{r.notice_id}", "subject": f"#{r.notice_id} · {r.quarter}",
                    "where": r.region_name, "detail": tn("todo.notice_draft", lang, n=r.count_institutions),
                    "due": due, "left": _left_text(_hours_left(due, now), lang), "page": "notice", "params": {}})
    return out


def enterprise_items(view: View, lang: str = "zh", now: dt.datetime | None = None) -> pd.DataFrame:
    now = now or clock.now()
    rows: list[dict] = []
    listed = docking.complaints(view)
    for r in listed[listed["stage"].isin(["answer", "resolve"])].itertuples(index=False):
        due = r.reply_due if r.stage == "answer" else r.promised_date
        rows.append({"item": f"complaint_{r.stage}", "key": f"complaint:{r.complaint_id}", "subject": r.institution_name,
                     "where": "",
                     "detail": f"{r.complaint_id} · {r.issue_type}" + (f" · {r.generic_name}" if isinstance(r.generic_name, str) else ""),
                     "due": due, "left": _left_text(_hours_left(due, now), lang), "page": "desk", "params": {}})
    supply = docking.supply(view)
    if len(supply):
        per = supply.groupby(["institution_code", "institution_name"], as_index=False)[["ordered_qty", "delivered_qty"]].sum()
        per["delivery_rate"] = rate(per["delivered_qty"], per["ordered_qty"])
        warn = float(view.store.settings()["delivery_rate_warning"])
        for r in per[per["delivery_rate"] < warn].sort_values("delivery_rate", kind="stable").itertuples(index=False):
            rows.append({"item": "supply_low", "key": f"supply:{r.institution_code}", "subject": r.institution_name,
                         "where": "",
                         "detail": t("todo.supply_rate", lang).format(rate=percent_text(r.delivery_rate),
                                                                      warn=percent_text(warn)),
                         "due": None, "left": "", "page": "ent_supply", "params": {}})
    return _frame(rows)


def institution_items(view: View, lang: str = "zh", now: dt.datetime | None = None) -> pd.DataFrame:
    now = now or clock.now()
    rows: list[dict] = []
    owed = cases.explanation_cases(view, lang)
    asked = owed[owed["status"].isin([C.REQUESTED, C.RETURNED])]
    rows += _from_cases(asked.assign(problem=[f"{p} · {s}" for p, s in zip(asked["problem"], asked["status"])]),
                        "explanation_requested", lang, now, page="inst_self")
    unasked = owed[owed["status"] == C.PENDING]  # it may explain before an officer asks (自查自纠)
    rows += _from_cases(unasked, "explanation_open", lang, now, page="inst_self")
    listed = docking.complaints(view)
    for r in listed[listed["stage"] == "confirm"].itertuples(index=False):
        rows.append({"item": "complaint_confirm", "key": f"complaint:{r.complaint_id}", "subject": r.enterprise_name,
                     "where": "",
                     "detail": f"{r.complaint_id} · {r.issue_type}", "due": None, "left": "", "page": "desk",
                     "params": {}})
    ladder = cases.ladder_cases(view, lang)
    for r in ladder[ladder["step"] >= 1].itertuples(index=False):
        rows.append({"item": "ladder_step", "key": f"ladder:{r.subject_code}", "subject": r.subject_name, "where": "",
                     "detail": t("todo.ladder", lang).format(step=r.step, measure=r.measure, flags=r.flags),
                     "due": r.due, "left": _left_text(_hours_left(r.due, now), lang), "page": "inst_self",
                     "params": {}})
    return _frame(rows)


def items(view: View, lang: str = "zh", since: dt.datetime | None = None, now: dt.datetime | None = None) -> pd.DataFrame:
    """What waits for the view's user (see the module's docstring), one row per thing: the kind of item, a key, whom
    or what it is about, what it says, its due date and the time left, the page and address parameters that deal
    with it. Without `now` (as a page asks), the list is made once a minute for the same data and recorded steps:
    every step that changes it (an action, a complaint's step, a notification drafted or set aside) moves the
    versions the cache keys on, and the time left is counted from the minute."""
    if now is None:
        return _items_of_minute(view, lang, since, clock.now().replace(second=0))
    return _items(view, lang, since, now)


@cached
def _items_of_minute(view: View, lang: str, since: dt.datetime | None, minute: dt.datetime) -> pd.DataFrame:
    return _items(view, lang, since, minute)


def _items(view: View, lang: str, since: dt.datetime | None, now: dt.datetime) -> pd.DataFrame:
    kind = view.entity[0] if view.entity is not None else None
    if kind == "enterprise":
        return enterprise_items(view, lang, now)
    if kind == "institution":
        return institution_items(view, lang, now)
    return officer_items(view, lang, since, now)


ITEMS = ("overdue", "escalated", "notice_draft", "measure_due", "new_red", "complaint_late", "explanation_to_request",
         "explanation_missing", "explanation_received",
         "complaint_answer", "complaint_resolve", "supply_low", "explanation_requested", "explanation_open",
         "complaint_confirm",
         "ladder_step")  # labels: todo.item.<id>
