"""The interview list (约谈名单): red-flagged institutions and tier C/D enterprises in an area,
with their flags as evidence, the recommended next measure, and the status officers recorded (recording
is core.access.actions)."""
from __future__ import annotations


import pandas as pd

from core.policy import ladder
from core.policy.indicators import FLAG_BY_ID, SEVERITY_WEIGHT, flag_name
from core.policy.ladder import TIER_MEASURES
from core.present.flagtext import describe
from core.store.cache import cached
from core.store.view import View

LIST_COLUMNS = ["subject_type", "subject_code", "subject_name", "area_name", "score", "tier", "flags",
                "recommended", "status", "status_date"]


def _latest_actions(store, subject_type: str) -> pd.DataFrame:
    rows = store.read("SELECT subject_code, status, action_date, action_id FROM actions WHERE subject_type = :t",
                      {"t": subject_type})
    if rows.empty:
        return pd.DataFrame(columns=["subject_code", "status", "status_date"])
    rows = rows.sort_values(["action_date", "action_id"]).groupby("subject_code").tail(1)
    return rows.rename(columns={"action_date": "status_date"})[["subject_code", "status", "status_date"]]


def _flag_names(flags: pd.DataFrame, lang: str, settings) -> pd.Series:
    names = flags.assign(name=flags["flag_id"].map(lambda f: flag_name(f, lang, settings)))
    return names.groupby("subject_code")["name"].agg(lambda s: "；".join(dict.fromkeys(s)))


@cached
def interview_list(view: View, lang: str = "zh") -> pd.DataFrame:
    """Red-flagged institutions of the area and tier C/D enterprises serving it, highest score first (the flags
    named in `lang`)."""
    inst = view.read(f"""
        SELECT i.institution_code AS subject_code, i.institution_name AS subject_name, k.region_name AS area_name,
               r.score, r.step
        FROM mart_red_flags r
        JOIN institutions i ON i.institution_code = r.institution_code
        JOIN regions k ON k.region_code = i.county_code
        WHERE r.view_id = :v AND r.step IS NOT NULL AND {view.institutions_in_area()}""")
    inst_flags = view.read(f"""SELECT f.flag_id, f.subject_code FROM mart_flags f
                               JOIN institutions i ON i.institution_code = f.subject_code
                               WHERE f.view_id = :v AND f.level = 'institution' AND f.flag_id <> 'red_flag'
                                 AND {view.institutions_in_area()}""")
    inst_flags = inst_flags.loc[inst_flags["flag_id"].map(lambda f: FLAG_BY_ID[f].group == "ladder").astype(bool)]
    inst["subject_type"] = "institution"
    inst["tier"] = None
    inst["flags"] = inst["subject_code"].map(_flag_names(inst_flags, lang, view.store.settings())).fillna("")
    inst["recommended"] = inst["step"].map(lambda s: ladder.STEPS[int(s)][0])
    ent = view.read(f"""
        SELECT e.enterprise_code AS subject_code, e.enterprise_name AS subject_name, m.tier
        FROM mart_enterprises m JOIN enterprises e ON e.enterprise_code = m.enterprise_code
        WHERE m.view_id = :v AND m.tier IN ('C', 'D') AND e.enterprise_code IN {view.enterprises_in_area()}""")
    ent_flags = view.read("SELECT flag_id, subject_code, severity FROM mart_flags WHERE view_id = :v AND level = 'enterprise'")
    ent["subject_type"] = "enterprise"
    ent["area_name"] = None
    ent["score"] = ent["subject_code"].map(ent_flags.assign(w=ent_flags["severity"].map(SEVERITY_WEIGHT))
                                           .groupby("subject_code")["w"].sum()).fillna(0.0)
    ent["flags"] = ent["subject_code"].map(_flag_names(ent_flags, lang, view.store.settings())).fillna("")
    ent["recommended"] = ent["tier"].map(TIER_MEASURES)
    out = pd.concat([inst, ent], ignore_index=True)
    latest = pd.concat([_latest_actions(view.store, "institution").assign(subject_type="institution"),
                        _latest_actions(view.store, "enterprise").assign(subject_type="enterprise")], ignore_index=True)
    out = out.merge(latest, on=["subject_type", "subject_code"], how="left")
    out["status"] = out["status"].fillna("待处理")
    out = out.sort_values(["score", "subject_code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["status_date"] = pd.to_datetime(out["status_date"]).dt.date
    return out[LIST_COLUMNS]


def evidence(view: View, subjects: pd.DataFrame) -> pd.DataFrame:
    """One row per flag of the listed subjects: value against threshold and the notice's clause."""
    flags = view.read("SELECT flag_id, level, subject_code, detail_code, severity, value, threshold FROM mart_flags "
                      "WHERE view_id = :v AND flag_id <> 'red_flag'")
    keys = set(zip(subjects["subject_type"], subjects["subject_code"]))
    # each answers for its own: an institution for its ladder flags and explanations (its suppliers' delivery is
    # theirs), an enterprise for its tier and the complaints addressed to it
    own = flags["flag_id"].map(lambda f: FLAG_BY_ID[f].party or FLAG_BY_ID[f].level) == flags["level"]
    listed = pd.Series([(lvl, code) in keys for lvl, code in zip(flags["level"], flags["subject_code"])], index=flags.index,
                       dtype=bool)
    mine = flags[own & listed].copy()
    mine = view.complaint_flags_raised_inside(mine)
    mine = describe(mine, settings=view.store.settings())
    names = dict(zip(subjects["subject_code"], subjects["subject_name"]))
    mine["subject_name"] = mine["subject_code"].map(names)
    return mine.sort_values(["subject_code", "flag_id", "detail_code"]).reset_index(drop=True)[
        ["subject_code", "subject_name", "flag_id", "flag_name", "severity_zh", "detail_code", "value", "threshold",
         "value_text", "threshold_text", "clause"]]


def actions_of(store, subject_type: str, subject_code: str) -> pd.DataFrame:
    return store.read("SELECT action_date, status, note, recorded_by, recorded_at FROM actions "
                      "WHERE subject_type = :t AND subject_code = :c ORDER BY action_date, action_id",
                      {"t": subject_type, "c": subject_code})
