"""The interview list (约谈名单): institutions at step 3 or above of the measures ladder or red-flagged, and tier C/D
enterprises, in an area, with their flags as evidence, the recommended next measure, and the status officers
recorded (the cases are core.read.cases; recording is core.access.actions)."""
from __future__ import annotations


import pandas as pd

from core.policy.indicators import FLAG_BY_ID, SEVERITY_WEIGHT
from core.present.i18n import t
from core.read import cases
from core.read.units import described
from core.store.cache import cached
from core.store.view import View

# Who, what to do, where it stands and by when first, then why (the flags: an enterprise's tier among them): at
# 1400 px the columns after the flags scroll out of view, and English flags alone are as wide as the table's rest
# (the list is sorted by the score; the tier is said in the flags too).
LIST_COLUMNS = ["subject_type", "subject_code", "subject_name", "area_name", "listed_for", "recommended", "status",
                "due", "flags", "status_date", "score", "tier"]


_WHY = {(4, True): "iv.why.referred", (4, False): "iv.why.after_interview", (3, True): "iv.why.interviewed",
        (3, False): "iv.why.ladder"}  # (step, its measure taken) -> why listed


@cached
def interview_list(view: View, lang: str = "zh") -> pd.DataFrame:
    """The interview list (约谈名单) of the area, highest score first: institutions at step 3 (约谈督导) or above of
    the measures ladder or red-flagged, and tier C/D enterprises serving the area; each with its flags named in
    `lang`, the next step, the status recorded and its deadline (all live: an action recorded shows at once)."""
    ladder = cases.ladder_cases(view, lang)
    inst = ladder[((ladder["step"] >= 3) | ladder["is_red"]) & ~ladder["closed"].astype(bool)]
    # Why it is listed, from the measures recorded (core.policy.cases.ladder_step): a referral made, an interview
    # that fell short, an interview within its deadline, a notification that fell short; or prominent problems
    # (red-flagged: notified at once, before any interview).
    inst = inst.assign(subject_type="institution", tier=None,
                       listed_for=[t(_WHY.get((int(step), bool(done)), "iv.why.red"), lang)
                                   for step, done in zip(inst["step"], inst["done"])])
    ent = cases.tier_cases(view, lang)
    ent = ent[ent["tier"].isin(["C", "D"])]
    ent = ent.assign(listed_for=[t("iv.why.tier", lang).format(tier=tier) for tier in ent["tier"]])
    ent_flags = view.read("SELECT flag_id, subject_code, detail_code, severity FROM mart_flags WHERE view_id = :v "
                          "AND level = 'enterprise'")
    ent_flags = view.complaint_flags_raised_inside(ent_flags)
    ent = ent.assign(subject_type="enterprise",
                     score=ent["subject_code"].map(ent_flags.assign(w=ent_flags["severity"].map(SEVERITY_WEIGHT))
                                                   .groupby("subject_code")["w"].sum()).fillna(0.0),
                     flags=ent["subject_code"].map(cases.flag_names(ent_flags, lang, view.store.settings())).fillna(""))
    parts = [p[LIST_COLUMNS] for p in (inst, ent) if len(p)]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LIST_COLUMNS)
    return out.sort_values(["score", "subject_code"], ascending=[False, True], kind="stable").reset_index(drop=True)


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
    mine = described(view, mine)
    names = dict(zip(subjects["subject_code"], subjects["subject_name"]))
    mine["subject_name"] = mine["subject_code"].map(names)
    return mine.sort_values(["subject_code", "flag_id", "detail_code"]).reset_index(drop=True)[
        ["subject_code", "subject_name", "flag_id", "flag_name", "severity_zh", "detail_code", "value", "threshold",
         "value_text", "threshold_text", "clause"]]
