"""Scorecards: everything about one institution or one enterprise, as seen from a view.

An institution outside the view's area, or an enterprise that does not serve it, has no
scorecard (None), so a link cannot show what the viewer may not see.
"""
from __future__ import annotations

import pandas as pd

from core.policy.indicators import FLAG_BY_ID, INDICATORS, party_counts, rate, with_monthly_values
from core.present.i18n import percent_text
from core.read import cases, monitoring
from core.read.units import described
from core.store.cache import cached
from core.store.view import View


def _read_institution(view: View, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A read of an institution's card: its own account may make it (every read is of that institution)."""
    return view.read(sql, params, entity_ok="institution")


def _read_enterprise(view: View, sql: str, params: dict | None = None) -> pd.DataFrame:
    """A read of an enterprise's card: its own account may make it (every read is of that enterprise)."""
    return view.read(sql, params, entity_ok="enterprise")


def _day(view: View):
    return view.store.day(view.as_of)


def _flags(view: View, level: str, code: str, lang: str) -> pd.DataFrame:
    frame = view.read("SELECT flag_id, severity, detail_code, value, threshold FROM mart_flags "
                      "WHERE view_id = :v AND level = :l AND subject_code = :c ORDER BY flag_id, detail_code",
                      {"l": level, "c": code}, entity_ok=level)
    return described(view, frame, lang)


def _indicators(view: View, level: str, code: str, flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every indicator of the subject, in the registry's order (one it has no figure for reads as none); with
    `flags`, count_flagged is the number of its flags of each indicator (a complaint's: the mart's count), split into
    count_own (the institution's own) and count_supply (its suppliers': delivery, and its complaints handled late),
    as 自查自纠 counts them."""
    frame = view.read("SELECT indicator_id, numerator, denominator, value, count_flagged FROM mart_indicators "
                      "WHERE view_id = :v AND level = :l AND subject_code = :c", {"l": level, "c": code}, entity_ok=level)
    wanted = [i.id for i in INDICATORS] if level == "institution" else list(frame["indicator_id"])
    frame = frame.set_index("indicator_id").reindex(wanted).rename_axis("indicator_id").reset_index()
    if flags is not None:
        late = frame.loc[frame["indicator_id"] == "complaint", "count_flagged"].fillna(0).sum()
        counts = party_counts(flags["flag_id"], int(late))
        frame["count_own"] = frame["indicator_id"].map(lambda i: counts[i][0])
        frame["count_supply"] = frame["indicator_id"].map(lambda i: counts[i][1])
        frame["count_flagged"] = frame["count_own"] + frame["count_supply"]
    frame["count_flagged"] = frame["count_flagged"].fillna(0).astype(int)
    frame["indicator"] = frame["indicator_id"].map({i.id: i.zh for i in INDICATORS})
    return frame


def _category(view: View, alias: str) -> str:
    return f" AND {alias}.category = :cat" if view.category else ""


@cached
def institution_card(view: View, code: str, lang: str = "zh") -> dict | None:
    info = _read_institution(view, f"""SELECT i.*, k.region_name AS county_name, c.region_name AS city_name
                         FROM institutions i JOIN regions k ON k.region_code = i.county_code
                         LEFT JOIN regions c ON c.region_code = k.prefecture_code
                         WHERE i.institution_code = :c AND {view.institutions_in_area()}""", {"c": code})
    if info.empty:
        return None
    params = {"c": code, "t": _day(view), "cat": view.category}
    monthly = with_monthly_values(_read_institution(view, "SELECT * FROM mart_institution_monthly WHERE view_id = :v "
                                            "AND institution_code = :c ORDER BY month", {"c": code}))
    agreements = _read_institution(view, f"""SELECT a.product_code, p.generic_name, p.dosage_form, a.period_start, a.period_end,
                                      a.reported_qty, a.prior_year_qty, a.agreed_qty, m.purchased_qty,
                                      m.rate_delivered_qty, m.rate_order_qty
                               FROM agreements a JOIN products p ON p.product_code = a.product_code
                               LEFT JOIN mart_inst_product m ON m.view_id = :v AND m.institution_code = a.institution_code
                                    AND m.product_code = a.product_code
                               WHERE a.institution_code = :c AND a.period_start <= :t AND a.period_end >= :t
                                     {_category(view, "p")}
                               ORDER BY a.product_code""", params)
    agreements["completion"] = rate(agreements["purchased_qty"], agreements["agreed_qty"])
    agreements["delivery_rate"] = rate(agreements["rate_delivered_qty"], agreements["rate_order_qty"])
    complaints = _read_institution(view, """SELECT c.complaint_id, e.enterprise_name, c.issue_type, c.raised_date, c.reply_date,
                                     c.promised_date, c.resolved_date, m.reply_late, m.unresolved
                              FROM mart_complaints m JOIN complaints c ON c.complaint_id = m.complaint_id
                              JOIN enterprises e ON e.enterprise_code = c.enterprise_code
                              WHERE m.view_id = :v AND c.institution_code = :c ORDER BY c.raised_date, c.complaint_id""",
                           {"c": code})
    ladder = cases.ladder_cases(view, lang)
    ladder = ladder[ladder["subject_code"] == code]
    explanations = cases.explanation_cases(view, lang)
    every = _flags(view, "institution", code, lang)
    supply = every["flag_id"].map(lambda f: FLAG_BY_ID[f].party == "enterprise")
    return {"info": info.iloc[0].to_dict(), "indicators": _indicators(view, "institution", code, every),
            "flags": every[~supply].reset_index(drop=True),  # the institution's own: the ladder's, explanations
            "supply_flags": _with_suppliers(view, code, every[supply]),  # its suppliers' failures (二（三）)
            "monthly": monthly, "agreements": agreements, "complaints": complaints,
            "ladder": ladder.iloc[0].to_dict() if len(ladder) else None,
            "explanations": explanations[explanations["subject_code"] == code].reset_index(drop=True),
            "actions": cases.subject_history(view.store, "institution", code, lang, view)}


def _with_suppliers(view: View, code: str, flags: pd.DataFrame) -> pd.DataFrame:
    """Delivery flags of an institution with the enterprises that answer for them: the product's manufacturer and
    the distributors of its orders (二（三））."""
    if flags.empty:
        return flags.reset_index(drop=True).assign(manufacturer=None, distributors=None)
    makers = _read_institution(view, "SELECT p.product_code, e.enterprise_name FROM products p JOIN enterprises e "
                       "ON e.enterprise_code = p.manufacturer_code")
    dist = _read_institution(view, "SELECT DISTINCT a.product_code, e.enterprise_name FROM agreements a JOIN enterprises e "
                     "ON e.enterprise_code = a.distributor_code WHERE a.institution_code = :c", {"c": code})
    out = flags.reset_index(drop=True)
    out["manufacturer"] = out["detail_code"].map(dict(zip(makers["product_code"], makers["enterprise_name"])))
    out["distributors"] = out["detail_code"].map(dist.groupby("product_code")["enterprise_name"].agg("、".join))
    return out


@cached
def enterprise_card(view: View, code: str, lang: str = "zh") -> dict | None:
    """An enterprise that serves the view's area: its tier (over the province), its products'
    delivery and the complaints it received, both from institutions of the area."""
    info = _read_enterprise(view, f"SELECT * FROM enterprises WHERE enterprise_code = :c AND enterprise_code IN "
                     f"{view.enterprises_in_area()}", {"c": code})
    if info.empty:
        return None
    tier = _read_enterprise(view, "SELECT * FROM mart_enterprises WHERE view_id = :v AND enterprise_code = :c", {"c": code})
    products = _read_enterprise(view, f"""SELECT p.product_code, p.generic_name, p.dosage_form, p.status,
                                    SUM(m.rate_delivered_qty) AS delivered_qty, SUM(m.rate_order_qty) AS ordered_qty,
                                    COUNT(m.institution_code) AS count_institutions
                             FROM products p LEFT JOIN (
                                  SELECT m.* FROM mart_inst_product m JOIN institutions i
                                  ON i.institution_code = m.institution_code
                                  WHERE m.view_id = :v AND m.agreed_qty > 0 AND {view.institutions_in_area()}) m
                                  ON m.product_code = p.product_code
                             WHERE p.manufacturer_code = :c {_category(view, "p")}
                             GROUP BY p.product_code, p.generic_name, p.dosage_form, p.status ORDER BY 1""",
                         {"c": code, "cat": view.category})
    products["delivery_rate"] = rate(products["delivered_qty"], products["ordered_qty"])
    complaints = _read_enterprise(view, f"""SELECT c.complaint_id, i.institution_name, c.issue_type, c.raised_date, c.reply_date,
                                      c.promised_date, c.resolved_date, m.reply_late, m.unresolved
                               FROM mart_complaints m JOIN complaints c ON c.complaint_id = m.complaint_id
                               JOIN institutions i ON i.institution_code = c.institution_code
                               WHERE m.view_id = :v AND c.enterprise_code = :c AND {view.institutions_in_area()}
                               ORDER BY c.raised_date, c.complaint_id""", {"c": code})
    flags = _flags(view, "enterprise", code, lang)
    flags = view.complaint_flags_raised_inside(flags)
    warn = view.store.settings()["delivery_rate_warning"]
    failed = _read_enterprise(view, f"""SELECT m.institution_code, i.institution_name, k.region_name AS county_name,
                                  m.delivered_qty, m.ordered_qty
                           FROM mart_enterprise_institutions m JOIN institutions i ON i.institution_code = m.institution_code
                           JOIN regions k ON k.region_code = i.county_code
                           WHERE m.view_id = :v AND m.enterprise_code = :c AND m.ordered_qty > 0
                                 AND {view.institutions_in_area()}""", {"c": code})
    failed["delivery_rate"] = rate(failed["delivered_qty"], failed["ordered_qty"])
    failed = failed[failed["delivery_rate"] < warn].sort_values(["delivery_rate", "institution_code"], kind="stable")
    return {"info": info.iloc[0].to_dict(), "tier": tier.iloc[0].to_dict() if len(tier) else {},
            "indicators": _indicators(view, "enterprise", code), "flags": flags.reset_index(drop=True),
            "products": products, "complaints": complaints, "failed": failed.reset_index(drop=True),
            "actions": cases.subject_history(view.store, "enterprise", code, lang, view)}


def first_to_open(view: View, kind: str, lang: str = "zh") -> pd.DataFrame:
    """Whose card to open first, before one is chosen: the institutions of the view holding ladder flags, highest
    score first (red-flagged among them), or the enterprises serving the area, worst tier first (the table scrolls and
    says how many it holds)."""
    if kind == "institution":
        held = cases.ladder_cases(view, lang).rename(columns={  # highest score first; named as an institution's
            "subject_code": "institution_code", "subject_name": "institution_name", "area_name": "county_name"})
        return held[["institution_code", "institution_name", "county_name", "score", "is_red", "flags",
                     "recommended"]].reset_index(drop=True)
    tiers = monitoring.enterprise_tiers(view)  # as the supply page ranks them
    return tiers[["enterprise_code", "enterprise_name", "role", "tier", "delivery_rate", "timely_rate"]] \
        .reset_index(drop=True)


@cached
def institution_choices(view: View) -> pd.DataFrame:
    """The institutions a scorecard can be opened for from this view: code, name, county."""
    return view.read(f"""SELECT i.institution_code AS code, i.institution_name AS name, k.region_name AS county_name
                         FROM institutions i JOIN regions k ON k.region_code = i.county_code
                         WHERE {view.institutions_in_area()} ORDER BY i.institution_code""")


@cached
def enterprise_choices(view: View) -> pd.DataFrame:
    """The enterprises a scorecard can be opened for from this view (those serving its area): code, name, role."""
    return view.read(f"""SELECT enterprise_code AS code, enterprise_name AS name, role FROM enterprises
                         WHERE enterprise_code IN {view.enterprises_in_area()} ORDER BY enterprise_code""")


def tier_evidence(tier: dict, settings, lang: str = "zh") -> pd.DataFrame:
    """An enterprise's three tiers, each with the figure it comes from and the rule (二（七））: delivery rate;
    timely resolution rate, only with enough counted complaints; non-cooperation recorded in the period."""
    zh = lang == "zh"
    counted, least = tier.get("count_complaints"), int(settings["tier_complaint_min"])
    counted = 0 if counted is None or counted != counted else int(counted)
    records = int(tier.get("count_uncooperative") or 0)
    bounds = f"A ≥ {settings['tier_a_min']:.0%}, B ≥ {settings['tier_b_min']:.0%}, C ≥ {settings['tier_c_min']:.0%}"
    rows = [
        ("配送率" if zh else "Delivery rate", percent_text(tier.get("delivery_rate")), tier.get("delivery_tier"), bounds),
        ("诉求及时解决率" if zh else "Timely resolution",
         f"{percent_text(tier.get('timely_rate'))}（{counted} 件）" if zh else
         f"{percent_text(tier.get('timely_rate'))} ({counted} counted)", tier.get("complaint_tier"),
         (f"计入诉求达到 {least} 件才分级；" if zh else f"graded with {least} or more counted complaints; ") + bounds),
        ("不配合（计次）" if zh else "Non-cooperation (counted)", str(records), tier.get("cooperation_tier"),
         (f"期内 {settings['cooperation_tier_b']} 次 B，{settings['cooperation_tier_c']} 次 C，"
          f"{settings['cooperation_tier_d']} 次及以上 D；同一经办人同一天录入的计一次" if zh else
          f"in the period: {settings['cooperation_tier_b']} B, {settings['cooperation_tier_c']} C, "
          f"{settings['cooperation_tier_d']} or more D; an officer's records entered on one day count once")),
    ]
    frame = pd.DataFrame(rows, columns=["part", "figure", "tier", "rule"])
    frame["tier"] = [x if isinstance(x, str) else "—" for x in frame["tier"]]
    return frame
