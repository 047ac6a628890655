"""What an enterprise's or an institution's own account reads: the notice's two dockings (两个对接) and an
institution's self-inspection (自查自纠). Each reader takes the account's View (View.entity) and reads the entity's
own rows only; a view of another kind is refused by the View itself. Complaints are read as they stand today (the
enterprise's deadlines run in working days from now), with the rule every complaint follows
(core.policy.complaints).

- 用量对接 (二（三））: an enterprise's agreed volumes by institution and product, what was bought, ordered and delivered,
  the delivery rate against the threshold and the shortfall (`supply`); its tier with the evidence (scorecard).
- 诉求对接 (二（四））: the complaints an institution raised or an enterprise received (`complaints`).
- 自查自纠 (二（六））: an institution's indicators against their thresholds and clauses, what to correct, beside its
  county's and city's figures (`self_inspection`); the delivery of its orders by supplier (`suppliers`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core.policy import clock
from core.policy import complaints as rule
from core.policy.indicators import FLAG_BY_ID, FLAGS, INDICATORS, party_counts, rate
from core.policy.workdays import DEFAULT as CALENDAR
from core.present import flagtext
from core.present.i18n import clause_text, t
from core.store.cache import cached
from core.store.view import EntityOnly, View


def _code(view: View, kind: str) -> str:
    if view.entity is None or view.entity[0] != kind:
        raise EntityOnly(f"此页只供{'企业' if kind == 'enterprise' else '医疗机构'}账户使用 / for {kind} accounts only")
    return view.entity[1]


def _day(value) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# -- an enterprise ------------------------------------------------------------------------
@cached
def enterprise(view: View) -> dict:
    """The enterprise itself: code, name, role (生产企业 or 配送企业)."""
    _code(view, "enterprise")  # an enterprise account only: raises for any other
    return view.read("SELECT * FROM enterprises WHERE enterprise_code = :entity", entity_ok="enterprise").iloc[0].to_dict()


@cached
def supply(view: View) -> pd.DataFrame:
    """Its supply to each institution holding an agreement for each of its products (a manufacturer: every order of
    its selected products; a distributor: the orders it delivered): the institution's agreed volume, purchases,
    the delivery-rate window's ordered and delivered quantities, the rate, whether it is below the threshold and
    the shortfall; lowest rate first."""
    _code(view, "enterprise")
    frame = view.read("""SELECT m.institution_code, i.institution_name, k.region_name AS county_name, m.product_code,
                                p.generic_name, p.dosage_form, p.specification, a.agreed_qty, m.purchased_qty,
                                m.ordered_qty, m.delivered_qty
                         FROM mart_enterprise_products m
                         JOIN institutions i ON i.institution_code = m.institution_code
                         JOIN regions k ON k.region_code = i.county_code
                         JOIN products p ON p.product_code = m.product_code
                         LEFT JOIN mart_inst_product a ON a.view_id = m.view_id AND a.institution_code = m.institution_code
                              AND a.product_code = m.product_code
                         WHERE m.view_id = :v AND m.enterprise_code = :entity""", entity_ok="enterprise")
    warn = view.store.settings()["delivery_rate_warning"]
    frame["delivery_rate"] = rate(frame["delivered_qty"], frame["ordered_qty"])
    frame["completion"] = rate(frame["purchased_qty"], frame["agreed_qty"])
    frame["shortfall_qty"] = frame["ordered_qty"] - frame["delivered_qty"]
    frame["is_below"] = (frame["delivery_rate"] < warn).fillna(False).astype(bool)
    return frame.sort_values(["delivery_rate", "institution_code", "product_code"], kind="stable",
                             na_position="last").reset_index(drop=True)


# -- an institution -----------------------------------------------------------------------
@cached
def institution(view: View) -> dict:
    """The institution itself, with its county and city."""
    _code(view, "institution")
    return view.read("""SELECT i.*, k.region_name AS county_name, k.prefecture_code AS city_code,
                               c.region_name AS city_name
                        FROM institutions i JOIN regions k ON k.region_code = i.county_code
                        LEFT JOIN regions c ON c.region_code = k.prefecture_code
                        WHERE i.institution_code = :entity""", entity_ok="institution").iloc[0].to_dict()


ADVICE = {  # what an institution corrects when an indicator of its own flags a problem (自查自纠)
    "report": "adv.report", "delivery": "adv.delivery", "complaint": "adv.complaint", "progress": "adv.progress",
    "nonselected": "adv.nonselected", "substitute": "adv.substitute", "other": "adv.other"}


# The indicators whose every flag lands on an enterprise (配送率, 诉求解决): the suppliers correct them, not the institution.
SUPPLIERS_ANSWER = frozenset(ind.id for ind in INDICATORS
                             if {f.party for f in FLAGS if f.indicator == ind.number} == {"enterprise"})


def _involved(codes: list[str], names: dict[str, str], lang: str, shown: int = 3) -> str:
    """What the institution's own flags of an indicator concern, as a reader finds them: a product by code and
    generic name, a group (generic name | dosage form) by its words, an order by its number; the first three and
    how many more ("" when none)."""
    said = [f"{c} {names[c]}" if c in names else c.replace("|", " ") for c in dict.fromkeys(c for c in codes if c)]
    more = len(said) - shown
    if more <= 0:
        return ("、" if lang == "zh" else ", ").join(said)
    return ("、".join(said[:shown]) + f" 等 {len(said)} 项") if lang == "zh" else \
        (", ".join(said[:shown]) + f" and {more} more")


def _meets(value, threshold, direction: str) -> str:
    """达标 / 未达标 as the indicator's direction reads its value against the threshold; "—" without either."""
    if value is None or value != value or threshold is None:
        return "—"
    return "达标" if (value >= threshold if direction == "min" else value <= threshold) else "未达标"


@cached
def self_inspection(view: View, lang: str = "zh") -> pd.DataFrame:
    """Each indicator of the institution against its threshold and the notice's clause: what is required ("不低于
    80.0%"), whether its value meets it, how many of its own flags it holds (a delivery or complaint flag is its
    suppliers'), whether to correct it (是 where it holds a flag of its own, 企业负责 where the suppliers answer for
    the indicator and fall short, else 否: a value can meet its threshold while one product is flagged) and how,
    beside the figure of its county and its city (sums over every institution there; no other institution is
    named)."""
    _code(view, "institution")  # an institution account only: raises for any other
    me = institution(view)
    rows = view.read("""SELECT level, subject_code, indicator_id, value, count_flagged FROM mart_indicators
                        WHERE view_id = :v AND ((level = 'institution' AND subject_code = :entity)
                              OR (level = 'county' AND subject_code = :county) OR (level = 'city' AND subject_code = :city))""",
                     {"county": me["county_code"], "city": me["city_code"] or ""}, entity_ok="institution")
    flags = view.read("SELECT flag_id, detail_code FROM mart_flags WHERE view_id = :v AND level = 'institution' "
                      "AND subject_code = :entity", entity_ok="institution")
    names = dict(view.read("SELECT product_code, generic_name FROM products WHERE product_code IN (SELECT detail_code "
                           "FROM mart_flags WHERE view_id = :v AND level = 'institution' AND subject_code = :entity)",
                           entity_ok="institution").itertuples(index=False))
    settings = view.store.settings()
    by = {(lv, i): v for lv, i, v in zip(rows["level"], rows["indicator_id"], rows["value"])}
    counts = party_counts(flags["flag_id"], int(rows.loc[(rows["level"] == "institution")
                                                          & (rows["indicator_id"] == "complaint"), "count_flagged"].sum()))
    held = flags["flag_id"].map(lambda f: FLAG_BY_ID[f]).tolist()
    details = flags["detail_code"].fillna("").astype(str).tolist()
    out = []
    for ind in INDICATORS:
        threshold, requirement = flagtext.requirement(ind, settings, view.info.one_schedule, lang)
        mine = [f for f in held if f.indicator == ind.number and f.party == "institution"]
        supply = [f for f in held if f.indicator == ind.number and f.party != "institution"]
        value = by.get(("institution", ind.id))
        meets = _meets(value, threshold, ind.direction)
        if threshold is None and ind.threshold == "schedule" and value is not None and value == value:
            # Rounds of different periods: each agreement is judged on its own schedule, by its flag.
            meets = "未达标" if any(f.group == "ladder" for f in mine) else "达标"
        suppliers_fall_short = ind.id in SUPPLIERS_ANSWER and (supply or meets == "未达标")
        to_correct = "是" if mine else "企业负责" if suppliers_fall_short else "否"
        out.append({"indicator_id": ind.id, "indicator": t(f"indicator.{ind.id}", lang),
                    "value": value, "threshold": threshold,
                    "requirement": requirement,
                    "meets": meets, "count_own": counts[ind.id][0], "count_supply": counts[ind.id][1],
                    "involved": _involved([d for f, d in zip(held, details)
                                           if f.indicator == ind.number and f.party == "institution"], names, lang),
                    "to_correct": to_correct,  # what to do wherever there is something to correct
                    "advice": t(ADVICE[ind.id] if to_correct != "否" else "adv.none", lang),
                    "clause": clause_text(ind.clause, lang),
                    "county_value": by.get(("county", ind.id)), "city_value": by.get(("city", ind.id))})
    return pd.DataFrame(out)


@cached
def suppliers(view: View) -> pd.DataFrame:
    """The delivery of the institution's orders by enterprise (each manufacturer of its products and each
    distributor of its orders): ordered and delivered quantities in the delivery-rate window and the rate."""
    _code(view, "institution")
    frame = view.read("""SELECT m.enterprise_code, e.enterprise_name, e.role, SUM(m.ordered_qty) AS ordered_qty,
                                SUM(m.delivered_qty) AS delivered_qty, COUNT(*) AS count_products
                         FROM mart_enterprise_products m JOIN enterprises e ON e.enterprise_code = m.enterprise_code
                         WHERE m.view_id = :v AND m.institution_code = :entity
                         GROUP BY m.enterprise_code, e.enterprise_name, e.role""", entity_ok="institution")
    frame["delivery_rate"] = rate(frame["delivered_qty"], frame["ordered_qty"])
    return frame.sort_values(["delivery_rate", "enterprise_code"], kind="stable").reset_index(drop=True)


def counterparts(view: View) -> pd.DataFrame:
    """The enterprises an institution may raise a complaint with: the manufacturers of the products it holds
    agreements for or bought, and the distributors of its agreements and orders; with those products."""
    _code(view, "institution")
    return view.read("""SELECT DISTINCT e.enterprise_code, e.enterprise_name, e.role, p.product_code, p.generic_name,
                                        p.dosage_form, p.specification
                        FROM (SELECT product_code, distributor_code FROM agreements WHERE institution_code = :entity
                              UNION SELECT product_code, distributor_code FROM orders WHERE institution_code = :entity) x
                        JOIN products p ON p.product_code = x.product_code
                        JOIN enterprises e ON e.enterprise_code = p.manufacturer_code OR e.enterprise_code = x.distributor_code
                        ORDER BY e.enterprise_code, p.product_code""", entity_ok="institution")


# -- complaints, as they stand today --------------------------------------------------------
COMPLAINT_COLUMNS = ["complaint_id", "source", "institution_code", "institution_name", "enterprise_code", "enterprise_name",
                     "product_code", "generic_name", "issue_type", "description", "raised_date", "reply_due", "reply_date",
                     "reply_text", "promised_date", "promise_due", "resolved_date", "confirmation", "confirmation_note",
                     "reply_late", "unresolved", "stage", "workdays_left"]


def with_timeliness(frame: pd.DataFrame, settings, today: dt.date | None = None) -> pd.DataFrame:
    """Complaint rows (raised, reply, promised, resolved dates) with their timeliness today: the reply's due day,
    the latest promise the rule allows, late or not, the stage (to answer, to resolve, to confirm, done) and the
    working days left to the next deadline (an imported complaint, which the extract gives no confirmation, is done
    once resolved)."""
    today = today or clock.today()
    for c in ("raised_date", "reply_date", "promised_date", "resolved_date", "confirmation_date"):
        if c in frame:
            frame[c] = pd.Series([_day(v) for v in frame[c]], index=frame.index, dtype=object)
    judged = [rule.timeliness(r, a, p, s, today, settings, CALENDAR) for r, a, p, s in
              zip(frame["raised_date"], frame["reply_date"], frame["promised_date"], frame["resolved_date"])]
    frame["reply_due"] = [j.reply_due for j in judged]
    frame["promise_due"] = [j.promise_due for j in judged]
    frame["reply_late"] = [j.reply_late for j in judged]
    frame["unresolved"] = [j.unresolved for j in judged]
    stages, left = [], []
    for r, j in zip(frame.itertuples(index=False), judged):
        if r.reply_date is None:
            stage, due = "answer", j.reply_due
        elif r.resolved_date is None:
            stage, due = "resolve", r.promised_date
        elif getattr(r, "source", "app") == "app" and not isinstance(getattr(r, "confirmation", None), str):
            stage, due = "confirm", None  # an imported complaint has no confirmation in the extract: resolved is done
        else:
            stage, due = "done", None
        stages.append(stage)
        left.append(None if due is None else (CALENDAR.between(today, due) if due >= today
                                              else -CALENDAR.between(due, today)))
    frame["stage"], frame["workdays_left"] = stages, pd.array(left, dtype="Int64")
    return frame


_COMPLAINTS = """SELECT c.complaint_id, c.source, c.institution_code, i.institution_name, c.enterprise_code,
                        e.enterprise_name, c.product_code, p.generic_name, c.issue_type, c.description, c.raised_date,
                        c.reply_date, c.reply_text, c.promised_date, c.resolved_date, c.confirmation,
                        c.confirmation_date, c.confirmation_note
                 FROM complaints c JOIN institutions i ON i.institution_code = c.institution_code
                 JOIN enterprises e ON e.enterprise_code = c.enterprise_code
                 LEFT JOIN products p ON p.product_code = c.product_code"""


# The complaint lists are kept for the day and the versions: each step of a complaint moves the actions' version on
# (core.access.complaints), so each side sees the other's answer at once (another process's within a second).
def complaints(view: View) -> pd.DataFrame:
    """The complaints an institution raised, or an enterprise received, newest first, as they stand today."""
    kind = view.entity[0] if view.entity is not None else None
    if kind not in ("enterprise", "institution"):
        raise EntityOnly("此页只供企业和医疗机构账户使用 / for enterprise and institution accounts only")
    return _complaints(view, kind, clock.today())


@cached
def _complaints(view: View, kind: str, today: dt.date) -> pd.DataFrame:
    frame = view.read(_COMPLAINTS + f" WHERE c.{kind}_code = :entity ORDER BY c.raised_date DESC, c.complaint_id DESC",
                      entity_ok=kind)
    return with_timeliness(frame, view.store.settings(), today)[COMPLAINT_COLUMNS]


def area_complaints(view: View) -> pd.DataFrame:
    """The complaints raised by the institutions of an officer's area, as they stand today, the open ones first:
    what waits for a reply or a resolution, and what is late (二（四）: the city and county bureaus supervise)."""
    return _area_complaints(view, clock.today())


@cached
def _area_complaints(view: View, today: dt.date) -> pd.DataFrame:
    frame = view.read(_COMPLAINTS + f" WHERE {view.institutions_in_area()} ORDER BY c.raised_date DESC")
    frame = with_timeliness(frame, view.store.settings(), today)
    order = {"answer": 0, "resolve": 1, "confirm": 2, "done": 3}
    return frame.sort_values(by=["stage", "raised_date"], key=lambda s: s.map(order) if s.name == "stage" else s,
                             kind="stable").reset_index(drop=True)[COMPLAINT_COLUMNS]


# -- the command line's tables, for an entity's account --------------------------------------
def visible_flags(view: View, frame: pd.DataFrame) -> pd.DataFrame:
    """The flags (rows of `flags`) an entity's account may see: an institution its own; an enterprise its own (its
    tier, the complaints addressed to it) and the delivery flags of its products (a manufacturer's supply)."""
    kind, code = view.entity or (None, None)
    if kind == "institution":
        return frame[(frame["level"] == "institution") & (frame["subject_code"] == code)]
    if kind != "enterprise":
        raise EntityOnly("只供企业和医疗机构账户 / for enterprise and institution accounts only")
    made = set(view.read("SELECT product_code FROM products WHERE manufacturer_code = :entity",
                         entity_ok="enterprise")["product_code"])
    own = (frame["level"] == "enterprise") & (frame["subject_code"] == code)
    supplied = (frame["flag_id"] == "delivery_rate_low") & frame["detail_code"].isin(made)
    return frame[own | supplied]


def visible_indicators(view: View, frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows of an indicator table of one level an entity's account may see: an enterprise its own row of the
    enterprises' level; an institution its own row, and its county's and city's (totals of the area)."""
    kind, code = view.entity or (None, None)
    key = f"{level}_code"
    if kind == "enterprise":
        return frame[frame[key] == code] if level == "enterprise" else frame.iloc[0:0]
    if kind != "institution":
        raise EntityOnly("只供企业和医疗机构账户 / for enterprise and institution accounts only")
    me = institution(view)
    allowed = {"institution": code, "county": me["county_code"], "city": me["city_code"]}.get(level)
    return frame[frame[key] == allowed] if allowed else frame.iloc[0:0]
