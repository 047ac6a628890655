"""Cases for a View, worked out when read from the view's marts and the actions recorded so far, so that an action
changes a case's next step at once for every user (recording is core.access.actions):

- `ladder_cases`: institutions holding a ladder flag at T, with their step of the measures ladder (二（七）);
- `explanation_cases`: report drops, purchases above the multiple and unreported purchases, explained or not;
- `tier_cases`: enterprises of tier B, C or D, with the measure each tier calls for;
- `area_cases`: counties and cities with a primary-care supply imbalance;
- `complaint_cases`: complaints answered late or not resolved in time, which the officers supervise;
- `open_cases`: all of them in one frame of common columns, from which the overdue and escalated lists come.

Every case lies inside the view's area: an institution of the area, an enterprise serving it, a region inside it, a
complaint raised by one of its institutions.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.policy import cases as C
from core.policy import clock, periods
from core.policy.indicators import FLAG_BY_ID, flag_name
from core.policy.workdays import DEFAULT as CALENDAR
from core.present.i18n import paren, t, vocabulary
from core.policy import complaints as complaint_rule
from core.read import docking, monitoring
from core.read.units import described
from core.store.cache import cached
from core.store.view import area_chain, View

# What every kind of case shows in the common lists (overdue, escalated, an officer's work).
COMMON = ["case_kind", "subject_code", "flag_id", "detail_code", "subject_name", "area_name", "problem", "recommended",
          "status", "status_date", "due", "overdue", "escalated"]
EXPLANATION_FLAGS = tuple(f.id for f in FLAG_BY_ID.values() if f.group == "explanation")


def _day(value) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def events(store, kind: str, since: dt.date | None = None) -> pd.DataFrame:
    """The actions recorded on cases of one kind (on or after `since`, the procurement period's start: a case belongs
    to the period of its figures), oldest first, with dates as dates; withdrawn ones left out."""
    frame = store.read("SELECT action_id, subject_code, flag_id, detail_code, status, note, action_date, deadline, "
                       "recorded_by, recorded_at FROM actions WHERE case_kind = :k AND withdrawn_at IS NULL "
                       "ORDER BY action_date, action_id", {"k": kind})
    for column in ("action_date", "deadline"):
        frame[column] = pd.Series([_day(v) for v in frame[column]], index=frame.index, dtype=object)
    if since is not None:
        frame = frame[pd.Series([d >= since for d in frame["action_date"]], index=frame.index, dtype=bool)]
    return frame.reset_index(drop=True)


def _since(view: View) -> dt.date:
    return view.info.period_start


def history(store, kind: str, subject_code: str, flag_id: str = "", detail_code: str = "") -> pd.DataFrame:
    """The actions of one case, oldest first."""
    frame = events(store, kind)
    keep = (frame["subject_code"] == subject_code) & (frame["flag_id"] == flag_id) & (frame["detail_code"] == detail_code)
    return frame[keep].reset_index(drop=True)


def _by_case(frame: pd.DataFrame) -> dict[tuple[str, str, str], pd.DataFrame]:
    return {key: part for key, part in frame.groupby(["subject_code", "flag_id", "detail_code"], sort=False)}


def _states(view: View, kind: str, keys: list[tuple[str, str, str]]) -> pd.DataFrame:
    """The state of each case of `keys` (status, its date, due date, overdue, escalated), in the order of the keys."""
    recorded = _by_case(events(view.store, kind, _since(view)))
    settings, today = view.store.settings(), clock.today()
    rows = []
    for key in keys:
        got = recorded.get(key)
        s = C.state(got, kind, view.as_of, settings, CALENDAR) if got is not None else C.CaseState()
        rows.append({"status": s.status, "status_date": s.status_date, "due": s.due, "escalated": s.escalated,
                     "closed": s.closed, "overdue": bool(s.due is not None and s.due < today and not s.closed),
                     "explanation": s.explanation})
    return pd.DataFrame(rows, columns=["status", "status_date", "due", "escalated", "closed", "overdue", "explanation"])


def flag_names(flags: pd.DataFrame, lang: str, settings) -> pd.Series:
    """Each subject's flags by name, once each (a supplier tier with its letter)."""
    details = flags["detail_code"] if "detail_code" in flags else pd.Series("", index=flags.index)
    names = flags.assign(name=[t("case.tier_problem", lang).format(tier=d) if f == "supplier_tier" and d else
                               flag_name(f, lang, settings) for f, d in zip(flags["flag_id"], details)])
    return names.groupby("subject_code")["name"].agg(lambda s: ("; " if lang == "en" else "；").join(dict.fromkeys(s)))


@cached
def ladder_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Institutions of the area (an institution's own account: itself) holding a ladder flag at T, highest score first: score, red flag, the ladder flags
    by name, the step (1 预警提示 to 4 纪检监察联动; 0 when recorded as rectified) and whether its measure is taken,
    the next thing to do, the status recorded and the deadline the step waits for; overdue when that deadline has
    passed."""
    inside = view.institutions_in_area()
    rows = view.read(f"""SELECT l.as_of, l.institution_code AS subject_code, i.institution_name AS subject_name,
                                k.region_name AS area_name, l.score, l.severity, l.is_red
                         FROM mart_ladder l JOIN institutions i ON i.institution_code = l.institution_code
                         JOIN regions k ON k.region_code = i.county_code
                         WHERE l.view_id = :v AND {inside}""", entity_ok="institution")
    rows["as_of"] = [_day(d) for d in rows["as_of"]]
    holders = {day: set(part["subject_code"]) for day, part in rows.groupby("as_of")}
    dates = sorted(holders)
    held = rows[rows["as_of"] == view.as_of].drop(columns="as_of").reset_index(drop=True)
    # A quarter's review looks at its last day: on it the quarterly notification lists every holder (二（七）).
    before = holders.get(periods.quarter_end_reached(view.as_of), set())
    flags = view.read(f"""SELECT f.flag_id, f.subject_code FROM mart_flags f
                          JOIN institutions i ON i.institution_code = f.subject_code
                          WHERE f.view_id = :v AND f.level = 'institution' AND {inside}""", entity_ok="institution")
    flags = flags[flags["flag_id"].map(lambda f: FLAG_BY_ID[f].group == "ladder").astype(bool)]
    settings = view.store.settings()
    held["is_red"] = held["is_red"].astype(bool)
    held["prominent"] = held["subject_code"].isin(before) | held["is_red"] | (held["score"] >= settings["notification_score"])
    recorded = _by_case(events(view.store, "ladder", _since(view)))
    states = _states(view, "ladder", [(c, "", "") for c in held["subject_code"]])

    def held_at(code: str):
        """Whether the institution held a ladder flag at the figures' first date on or after a day."""
        return lambda day: code in holders[next((d for d in dates if d >= day), view.as_of)]

    steps = []
    for code, prominent, closed in zip(held["subject_code"], held["prominent"], states["closed"]):
        got = recorded.get((code, "", ""))
        if closed:
            steps.append(C.Step(0, True, None))
        elif got is None:  # most institutions: nothing recorded yet
            steps.append(C.Step(2 if prominent else 1, False, None))
        else:
            steps.append(C.ladder_step(got, view.as_of, bool(prominent), settings, CALENDAR, held_at(code)))
    held["step"] = [s.step for s in steps]
    held["done"] = [s.done for s in steps]
    held["measure"] = [C.STEPS[s.step][0 if lang == "zh" else 1] if s.step else "" for s in steps]
    held["flags"] = held["subject_code"].map(flag_names(flags, lang, settings)).fillna("")
    held["problem"] = held["flags"]
    held = pd.concat([held, states.drop(columns=["due", "overdue"])], axis=1)
    held["recommended"] = [(t("case.sent", lang) if sent else "") + _next_step(s, lang)
                           for s, sent in zip(steps, held["escalated"])]
    held["due"] = [s.due for s in steps]  # the deadline the step waits for
    held["overdue"] = [bool(s.done and s.due is not None and s.due < clock.today()) for s in steps]
    held = held.assign(case_kind="ladder", flag_id="", detail_code="")
    return held.sort_values(["score", "subject_code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _next_step(step: C.Step, lang: str) -> str:
    """What the officer does next about an institution on the ladder: the step's measure and whether it is taken,
    and once taken, what waits for its deadline."""
    if step.step == 0:
        return t("case.next.closed", lang)
    measure = C.STEPS[step.step][0 if lang == "zh" else 1]
    if not step.done:
        return t("case.next.take", lang).format(measure=measure)
    if step.step == 4:
        return t("case.next.referred", lang)
    then = C.STEPS[step.step + 1][0 if lang == "zh" else 1]
    return t("case.next.wait", lang).format(measure=measure, due=step.due, then=then)


@cached
def explanation_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Every explanation flag of the area's institutions (report drop, purchase above the multiple, unreported
    purchase, 二（一）, 二（七）) with its case: requested, explained (the text), accepted or returned for re-filing."""
    marks = ", ".join(f"'{f}'" for f in EXPLANATION_FLAGS)
    frame = view.read(f"""SELECT f.flag_id, f.subject_code, f.detail_code, f.severity, f.value, f.threshold,
                                 i.institution_name AS subject_name, k.region_name AS area_name,
                                 p.generic_name AS detail_name
                          FROM mart_flags f JOIN institutions i ON i.institution_code = f.subject_code
                          JOIN regions k ON k.region_code = i.county_code
                          LEFT JOIN products p ON p.product_code = f.detail_code
                          WHERE f.view_id = :v AND f.level = 'institution' AND f.flag_id IN ({marks})
                                AND {view.institutions_in_area()}
                          ORDER BY f.subject_code, f.flag_id, f.detail_code""", entity_ok="institution")
    frame = described(view, frame, lang).reset_index(drop=True)
    states = _states(view, "explanation", list(zip(frame["subject_code"], frame["flag_id"], frame["detail_code"])))
    frame = pd.concat([frame, states], axis=1)
    frame["problem"] = [f"{name} · {detail or code}" for name, detail, code in
                        zip(frame["flag_name"], frame["detail_name"], frame["detail_code"])]
    frame["recommended"] = [t(f"case.next.explanation.{_explanation_step(s)}", lang) for s in frame["status"]]
    frame["returnable"] = frame["flag_id"].isin(C.RETURNABLE)
    return frame.assign(case_kind="explanation")


def _explanation_step(status: str) -> str:
    return {C.PENDING: "request", C.REQUESTED: "await", C.EXPLAINED: "judge", C.RETURNED: "refile",
            C.ACCEPTED: "done", C.ESCALATED: "province"}.get(status, "request")


@cached
def tier_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Enterprises serving the area of tier B, C or D, with their three tiers, the measure the tier calls for
    (报量风险提示, 减少约定采购量, 不接受参加集采; a distributor's: 落实招采信用评价) and what was recorded."""
    tiers = monitoring.enterprise_tiers(view)
    bad = tiers[tiers["tier"].isin(list(C.TIER_MEASURES))].reset_index(drop=True)
    states = _states(view, "tier", [(c, "", "") for c in bad["enterprise_code"]])
    bad = pd.concat([bad, states], axis=1).rename(columns={"enterprise_code": "subject_code",
                                                           "enterprise_name": "subject_name"})
    bad["measure"] = [vocabulary(C.tier_measure(x, role), lang) for x, role in zip(bad["tier"], bad["role"])]
    bad["recommended"] = bad["measure"]
    bad["problem"] = [t("case.tier_problem", lang).format(tier=x) for x in bad["tier"]]
    return bad.assign(case_kind="tier", flag_id="", detail_code="", area_name=None)


@cached
def area_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Counties and cities inside the area with a supply imbalance (二（五））, at every depth: a leader of the province
    sees every flagged county. A primary-care imbalance (primary_care_gap) and an imbalance between institution levels
    (level_gap) are cases apart, each with its gap in points and what it is between; both rates of primary care and of
    the secondary and tertiary institutions; what was recorded."""
    frame = view.read(f"""SELECT f.flag_id, f.subject_code, f.level AS region_level, f.value, r.region_name AS subject_name,
                                 a.primary_delivered_qty, a.primary_ordered_qty, a.others_delivered_qty, a.others_ordered_qty
                          FROM mart_flags f JOIN regions r ON r.region_code = f.subject_code
                          LEFT JOIN mart_areas a ON a.view_id = f.view_id AND a.region_code = f.subject_code
                          WHERE f.view_id = :v AND f.flag_id IN ('primary_care_gap', 'level_gap')
                                AND {view.regions_in_area('r')}
                          ORDER BY f.value DESC, f.subject_code, f.flag_id DESC""").reset_index(drop=True)
    frame = monitoring.with_rates(frame)
    by_level = frame["flag_id"] == "level_gap"
    frame["gap_points"] = frame["gap_points"].where(~by_level, frame["value"] * 100)
    states = _states(view, "area", list(zip(frame["subject_code"], frame["flag_id"], [""] * len(frame))))
    frame = pd.concat([frame, states], axis=1)
    frame["level_name"] = [t(f"case.level.{lv}", lang) for lv in frame["region_level"]]
    regions = view.store.regions().set_index("region_code")
    frame["area_name"] = [view.name_of(regions["parent_code"].get(code)) for code in frame["subject_code"]]
    apart = monitoring.levels_apart(view, list(frame.loc[by_level, "subject_code"]))
    ends = [apart.get(code, (None, None)) if level else (None, None) for code, level in zip(frame["subject_code"], by_level)]
    frame["level_high"], frame["level_low"] = [e[0] for e in ends], [e[1] for e in ends]  # the data's words
    frame["problem"] = [t("case.level_gap_problem", lang).format(high=vocabulary(high, lang), low=vocabulary(low, lang),
                                                                 gap=g)
                        if level else t("case.gap_problem", lang).format(gap=g)
                        for high, low, level, g in zip(frame["level_high"], frame["level_low"], by_level,
                                                       frame["gap_points"])]
    frame["recommended"] = [t("case.next.area." + ("province" if s == C.ESCALATED else "check" if s == C.PENDING
                                                   else "watch"), lang) for s in frame["status"]]
    return frame.assign(case_kind="area", detail_code="")


@cached
def complaint_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Complaints raised by the area's institutions that are late today (no reply in time, not resolved by the
    promise) and not closed, or whose resolution the institution disputes (二（四）: the city and county bureaus
    supervise them), with what was recorded."""
    frame = docking.area_complaints(view)
    disputed = frame["confirmation"] == complaint_rule.DISPUTED
    frame = frame[((frame["reply_late"] | frame["unresolved"]) & (frame["stage"] != "done")) | disputed]
    frame = frame.reset_index(drop=True)
    states = _states(view, "complaint", [(c, "", "") for c in frame["complaint_id"]])
    frame = pd.concat([frame, states], axis=1)
    frame["problem"] = [t("case.complaint_problem." + ("disputed" if d == complaint_rule.DISPUTED else
                                                       "reply" if late else "resolve"), lang)
                        for late, d in zip(frame["reply_late"], frame["confirmation"])]
    frame["recommended"] = [t("case.next.complaint." + ("province" if s == C.ESCALATED else "supervise"
                                                        if s == C.PENDING else "watch"), lang) for s in frame["status"]]
    return frame.assign(case_kind="complaint", subject_code=frame["complaint_id"], flag_id="", detail_code="",
                        subject_name=frame["enterprise_name"], area_name=frame["institution_name"])


READERS = {"ladder": ladder_cases, "explanation": explanation_cases, "tier": tier_cases, "area": area_cases,
           "complaint": complaint_cases}


@cached
def open_cases(view: View, lang: str = "zh") -> pd.DataFrame:
    """Every case of the area in the common columns (COMMON), kind by kind."""
    parts = [READERS[kind](view, lang) for kind in C.KINDS]
    parts = [p[COMMON] for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COMMON)
    return pd.concat(parts, ignore_index=True)


def overdue(view: View, lang: str = "zh") -> pd.DataFrame:
    """Cases whose deadline has passed (a rectification period run out, an explanation not received) and that are
    still open."""
    frame = open_cases(view, lang)
    return frame[frame["overdue"].astype(bool)].reset_index(drop=True)


def escalated(view: View, lang: str = "zh") -> pd.DataFrame:
    """Cases reported to the provincial bureau (报送省医保局); a provincial user's view holds those of every city."""
    frame = open_cases(view, lang)
    return frame[frame["escalated"].astype(bool)].reset_index(drop=True)


def _areas_of_users(store) -> dict:
    """User name -> the area its account holds (None for the province's roles)."""
    return dict(store.read("SELECT username, area_code FROM users").itertuples(index=False, name=None))


def _beside(view: View | None, recorders: pd.Series) -> pd.Series:
    """Which records were made by officers of an area beside the viewer's, neither holding it nor inside it (a city
    officer and another city's records on an enterprise that serves both): their notes are the other area's."""
    if view is None or view.user is None or view.entity is not None or view.scope == view.store.province_code:
        return pd.Series(False, index=recorders.index)
    regions = view.store.regions()
    areas = _areas_of_users(view.store)
    above = set(area_chain(regions, view.scope))

    def beside(user) -> bool:
        area = areas.get(user)
        return isinstance(area, str) and area not in above and view.scope not in area_chain(regions, area)
    return recorders.map(beside).astype(bool)


def _bureaus(store, recorders: pd.Series, lang: str) -> pd.Series:
    """The medical-insurance bureau each recorder works for (its area's, the province's for an account without one)."""
    areas = _areas_of_users(store)
    names = dict(zip(store.regions()["region_code"], store.regions()["region_name"]))
    return recorders.map(lambda who: t("case.bureau", lang).format(
        area=names.get(areas.get(who) or store.province_code, "")))


def subject_history(store, subject: str, code: str, lang: str = "zh", view: View | None = None) -> pd.DataFrame:
    """Every action recorded on the cases of one subject (an institution's ladder and explanations, an enterprise's
    tier), oldest first: the kind of case, what it is about, date, status, deadline, note, who and when; a withdrawn
    one says so, with its reason. With an officer's `view`, a record made by an officer of an area beside the
    officer's shows what was recorded and when, not its note or who made it; with an enterprise's or institution's,
    each record names the bureau that made it, not the officer's account."""
    kinds = [k.id for k in C.KINDS.values() if k.subject == subject]
    marks = ", ".join(f"'{k}'" for k in kinds)
    frame = store.read(f"SELECT action_id, case_kind, flag_id, detail_code, status, note, action_date, deadline, "
                       f"recorded_by, recorded_at, withdrawn_at, withdrawn_reason FROM actions "
                       f"WHERE subject_code = :c AND case_kind IN ({marks}) ORDER BY action_date, action_id", {"c": code})
    for column in ("action_date", "deadline"):
        frame[column] = pd.Series([_day(v) for v in frame[column]], index=frame.index, dtype=object)
    frame["case_name"] = frame["case_kind"].map(lambda k: C.KINDS[k].zh if lang == "zh" else C.KINDS[k].en)
    frame["about"] = [" ".join(x for x in (flag_name(f, lang, store.settings()) if f else "", d) if x)
                      for f, d in zip(frame["flag_id"], frame["detail_code"])]
    gone = frame["withdrawn_at"].notna()
    frame["status"] = [f"{vocabulary(s, lang)}{paren(t('case.withdrawn', lang), lang)}" if g else s
                       for s, g in zip(frame["status"], gone)]
    colon = "：" if lang == "zh" else ": "
    frame["note"] = [f"{n}{paren(t('case.withdrawn_reason', lang) + colon + str(r), lang)}" if g else n
                     for n, r, g in zip(frame["note"], frame["withdrawn_reason"], gone)]
    elsewhere = _beside(view, frame["recorded_by"])
    frame.loc[elsewhere, "note"] = t("case.elsewhere_note", lang)
    frame.loc[elsewhere, "recorded_by"] = t("case.elsewhere", lang)
    if view is not None and view.entity is not None:  # an enterprise or institution: which bureau, not whose account
        frame["recorded_by"] = _bureaus(view.store, frame["recorded_by"], lang)
    return frame[["case_name", "about", "action_date", "status", "deadline", "note", "recorded_by", "recorded_at"]] \
        .reset_index(drop=True)


def own_records(view: View, lang: str = "zh", days: int = 30) -> pd.DataFrame:
    """The records the view's user made in the last `days` days and has not withdrawn (the ones it may withdraw)."""
    if view.user is None:
        return pd.DataFrame(columns=["action_id", "label"])
    since = clock.now() - dt.timedelta(days=days)
    frame = view.store.read("SELECT action_id, case_kind, subject_code, flag_id, detail_code, status, action_date "
                            "FROM actions WHERE recorded_by = :u AND withdrawn_at IS NULL AND recorded_at >= :s "
                            "ORDER BY action_id DESC", {"u": view.user.username,
                                                        "s": since if view.store.is_postgres else since.isoformat(" ")})
    frame["label"] = [f"{str(d)[:10]} · {C.KINDS[k].zh if lang == 'zh' else C.KINDS[k].en} · {code}"
                      + (f" {detail}" if detail else "") + f" · {vocabulary(st, lang)}"
                      for d, k, code, detail, st in zip(frame["action_date"], frame["case_kind"], frame["subject_code"],
                                                         frame["detail_code"], frame["status"])]
    return frame[["action_id", "label"]]
